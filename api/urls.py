"""/api/v1/…: the API; /api/schema/: its OpenAPI 3 schema; /api/docs/: Swagger UI."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api.docs import SwaggerView
from api.views import plans, posts
from editorial.workflow.catalog import PLAN_ACTIONS, POST_ACTIONS

v1 = [
    path("posts/", posts.PostList.as_view(), name="api-posts"),
    path("posts/<int:pk>/", posts.PostDetail.as_view(), name="api-post"),
    path("posts/<int:pk>/actions/", posts.PostActions.as_view(), name="api-post-actions"),
    *(
        path(
            f"posts/<int:pk>/actions/{name}/",
            posts.action_view(spec).as_view(),
            name=f"api-post-{name}",
        )
        for name, spec in POST_ACTIONS.items()
    ),
    path("posts/<int:pk>/comments/", posts.PostComments.as_view(), name="api-post-comments"),
    path(
        "posts/<int:pk>/publications/",
        posts.PostPublications.as_view(),
        name="api-post-publications",
    ),
    path("plans/", plans.PlanList.as_view(), name="api-plans"),
    path("plans/<int:pk>/", plans.PlanDetail.as_view(), name="api-plan"),
    path("plans/<int:pk>/actions/", plans.PlanActions.as_view(), name="api-plan-actions"),
    *(
        path(
            f"plans/<int:pk>/actions/{name}/",
            plans.plan_action_view(spec).as_view(),
            name=f"api-plan-{name}",
        )
        for name, spec in PLAN_ACTIONS.items()
    ),
    path("channels/", plans.ChannelList.as_view(), name="api-channels"),
    path("channels/<int:pk>/", plans.ChannelDetail.as_view(), name="api-channel"),
    path("campaigns/", plans.CampaignList.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/", plans.CampaignDetail.as_view(), name="api-campaign"),
]

urlpatterns = [
    *(path(f"v1/{p.pattern}", p.callback, name=p.name) for p in v1),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
