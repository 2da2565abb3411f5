"""Routes of the people side: departures."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
