from django.contrib import admin

from .models import Author, Book, Category, Order, OrderLine, Review


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "price", "stock"]
    list_filter = ["categories"]
    search_fields = ["title", "isbn", "author__name"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "status", "total", "created"]
    inlines = [OrderLineInline]


admin.site.register(Author)
admin.site.register(Category)
admin.site.register(Review)
