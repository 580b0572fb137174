from django.urls import path

from . import class_views as cv
from . import views as v

app_name = "catalog"

urlpatterns = [
    path("", v.book_list, name="book_list"),
    path("books/new/", v.book_create, name="book_create"),
    path("books/<int:pk>/", v.book_detail, name="book_detail"),
    path("books/<int:pk>/edit/", v.book_update, name="book_update"),
    path("books/<int:pk>/delete/", v.book_delete, name="book_delete"),
    path("books/<int:pk>/reviews/", v.review_create, name="review_create"),
    path("books/<int:pk>/reviews/clear/", v.clear_reviews, name="clear_reviews"),
    path("books/<int:pk>/categories/", v.book_set_categories, name="book_set_categories"),
    path("books/<int:pk>/quote/", v.price_quote, name="price_quote"),
    path("books/<int:pk>/price/", v.price_in_currency, name="price_in_currency"),
    path("isbn/<str:isbn>/", v.book_by_isbn, name="book_by_isbn"),
    path("authors/", v.author_list, name="author_list"),
    path("authors/<int:pk>/", v.author_detail, name="author_detail"),
    path("categories/new/", cv.CategoryCreateView.as_view(), name="category_create"),
    path("categories/<slug:slug>/", v.category_books, name="category_books"),
    path("search/", v.search, name="search"),
    path("cart/", v.cart_detail, name="cart"),
    path("cart/add/<int:pk>/", v.cart_add, name="cart_add"),
    path("cart/clear/", v.cart_clear, name="cart_clear"),
    path("orders/", v.my_orders, name="my_orders"),
    path("orders/place/", v.place_order, name="place_order"),
    path("orders/<int:pk>/", v.order_detail, name="order_detail"),
    path("orders/<int:pk>/cancel/", v.cancel_order, name="cancel_order"),
    path("export/books.csv", v.export_csv, name="export_csv"),
    path("ping/", v.slow_ping, name="slow_ping"),
    path("health/", v.health, name="health"),
    # JSON API
    path("api/books/", v.api_book_list, name="api_book_list"),
    path("api/books/<int:pk>/", v.api_book_detail, name="api_book_detail"),
    path("api/books/import/", v.bulk_import, name="bulk_import"),
    path("api/books/restock/", v.restock, name="restock"),
    path("api/stats/", v.api_stats, name="api_stats"),
    path("api/bestsellers/", v.bestsellers, name="bestsellers"),
    # Class-based views
    path("api/v2/books/<int:pk>/stock/", cv.BookStockView.as_view(), name="book_stock"),
    path("api/v2/books/<int:pk>/reviews/", cv.BookReviewsView.as_view(), name="book_reviews"),
    path("api/v2/authors/<int:pk>/books/", cv.AuthorBooksView.as_view(), name="author_books"),
    path("api/v2/stock/transfer/", cv.StockTransferView.as_view(), name="stock_transfer"),
    path("categories/<slug:slug>/manage/", cv.CategoryManageView.as_view(), name="category_manage"),
    path("bestsellers/", cv.BestsellersPageView.as_view(), name="bestsellers_page"),
    path("authors/index/", cv.AuthorIndexView.as_view(), name="author_index"),
    path("wishlist/", cv.WishlistView.as_view(), name="wishlist"),
    path("wishlist/to-cart/", cv.WishlistToCartView.as_view(), name="wishlist_to_cart"),
    path("orders/<int:pk>/reorder/", cv.ReorderView.as_view(), name="reorder"),
]
