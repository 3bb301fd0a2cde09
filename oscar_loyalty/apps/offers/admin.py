"""Admin for member prices and tier discounts (model validators keep percentages 0-100)."""

from django.contrib import admin

from .models import MemberGift, MemberPrice, TierDiscount


@admin.register(MemberPrice)
class MemberPriceAdmin(admin.ModelAdmin):
    list_display = ["stockrecord", "price", "segment", "updated_at"]
    raw_id_fields = ["stockrecord"]
    search_fields = ["stockrecord__partner_sku", "stockrecord__product__title"]
    list_select_related = ["stockrecord__product", "stockrecord__partner"]


@admin.register(TierDiscount)
class TierDiscountAdmin(admin.ModelAdmin):
    list_display = ["tier", "percent", "range", "category", "is_active"]
    list_filter = ["tier", "is_active"]
    raw_id_fields = ["category"]


@admin.register(MemberGift)
class MemberGiftAdmin(admin.ModelAdmin):
    list_display = ["created_at", "member", "kind", "voucher", "points", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["member__number", "key", "voucher__code"]
    readonly_fields = [f.name for f in MemberGift._meta.fields]

    def has_add_permission(self, request):
        return False
