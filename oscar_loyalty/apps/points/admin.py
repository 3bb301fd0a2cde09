"""Read-only admin for the ledger (changes go through services and the dashboard)."""

from django.contrib import admin

from .models import PointsAccount, PointsEntry, PointsPromotion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ["member", "balance", "pending", "debt", "updated_at"]
    search_fields = ["member__number", "member__user__email"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "kind", "points", "debt", "reason", "order"]
    list_filter = ["kind"]
    search_fields = ["account__member__number", "idempotency_key", "order__number"]
    list_select_related = ["account__member", "order"]


@admin.register(PointsPromotion)
class PointsPromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "multiplier", "starts_at", "ends_at", "is_active"]
