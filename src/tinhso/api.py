"""The REST API at /api/v1: one NinjaAPI, each app mounting its own router."""

from tinhso.core.api import build_api

api = build_api()
