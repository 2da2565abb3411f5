"""Routes of the people side: agreements."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
