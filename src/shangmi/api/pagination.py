"""Every list endpoint pages: ?page=N&page_size=M (capped), answering {"items": [...], "count": total}."""

from django.conf import settings
from ninja.pagination import PageNumberPagination, paginate


def paged(func):
    return paginate(PageNumberPagination, page_size=settings.NINJA_PAGINATION_PER_PAGE)(func)
