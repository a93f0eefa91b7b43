from django.urls import path

from formations import views

app_name = "formations"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("lheo.xml", views.lheo_feed, name="lheo"),
]
