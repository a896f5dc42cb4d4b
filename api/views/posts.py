"""Posts: the list with its filters, create, read, change; a post's actions, one
endpoint each; its comments and publications.

A post outside the user's scope answers 404 (`editorial.access`); what they may do with
one they see is the workflow's answer (403 with the reason, 409 when it moved on)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response

from api import editor
from api import serializers as s
from api.errors import Conflict
from api.pagination import Cursor
from api.tokens import refuse_by_token
from api.views.common import NEEDS_SERIALIZERS, described, known_id, perform, read
from editorial import workflow
from editorial.access import post_or_404, visible_posts
from editorial.models import Post
from editorial.permissions import deny_write
from editorial.views.posts import _edit_refusal, _matching
from editorial.workflow.catalog import POST_ACTIONS, Action

ERRORS = {
    400: OpenApiResponse(description="What was sent is wrong: the fields' errors."),
    401: OpenApiResponse(description="No valid token or session."),
    403: OpenApiResponse(description="Not allowed: the reason in `detail`."),
    404: OpenApiResponse(description="No such post, or outside your scope."),
    409: OpenApiResponse(description="The post moved on or changed meanwhile."),
}


def _posts(user):
    return (
        visible_posts(user)
        .select_related("author")
        .prefetch_related("channels", "variants", "images")
    )


def _post(request, pk) -> Post:
    return post_or_404(request.user, known_id(pk), _posts(request.user))


def _refused(exc: editor.Refused):
    if exc.stale:
        raise Conflict(" ".join(exc.errors.get("non_field_errors", [])))
    return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)


@extend_schema_view(
    get=extend_schema(
        summary="List the posts you may see",
        parameters=[s.PostFilterSerializer],
        responses={200: s.PostSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    ),
    post=extend_schema(
        summary="Create a draft",
        request=s.PostWriteSerializer,
        responses={201: s.PostSerializer, **{k: ERRORS[k] for k in (400, 401, 403)}},
    ),
)
class PostList(generics.GenericAPIView):
    serializer_class = s.PostSerializer
    pagination_class = Cursor

    def get(self, request):
        # A plain dict: an empty value is then a wrong value (400), not a missing one.
        filters = read(s.PostFilterSerializer, request.query_params.dict())
        posts = _posts(request.user)
        if "state" in filters:
            posts = posts.filter(state=filters["state"])
        if "channel" in filters:
            posts = posts.filter(channels=filters["channel"])
        if "department" in filters:
            posts = posts.filter(origin_department=filters["department"])
        if "scheduled_from" in filters:
            posts = posts.filter(scheduled_at__gte=filters["scheduled_from"])
        if "scheduled_to" in filters:
            posts = posts.filter(scheduled_at__lt=filters["scheduled_to"])
        if "q" in filters:
            posts = _matching(posts, filters["q"])
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request):
        if reason := deny_write(request.user):
            raise workflow.ActionNotAllowed(reason)
        sent = read(s.PostWriteSerializer, request.data)
        try:
            post = editor.create(request.user, sent)
        except editor.Refused as exc:
            return _refused(exc)
        return Response(s.PostSerializer(_post(request, post.pk)).data, status=201)


@extend_schema_view(
    get=extend_schema(
        summary="Read a post", responses={200: s.PostSerializer, 401: ERRORS[401], 404: ERRORS[404]}
    ),
    patch=extend_schema(
        summary="Change a post",
        description=(
            "Fields left out stay as they are. Changing the content of a post under "
            "review sends it back to draft (its approvals no longer hold)."
        ),
        request=s.PostWriteSerializer,
        responses={200: s.PostSerializer, **ERRORS},
    ),
)
class PostDetail(generics.GenericAPIView):
    serializer_class = s.PostSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get(self, request, pk):
        return Response(s.PostSerializer(_post(request, pk)).data)

    def patch(self, request, pk):
        post = _post(request, pk)
        if refusal := _edit_refusal(post, request.user):
            raise refusal
        sent = read(s.PostWriteSerializer, request.data, partial=True)
        try:
            editor.change(post, request.user, sent)
        except editor.Refused as exc:
            return _refused(exc)
        return Response(s.PostSerializer(_post(request, pk)).data)


@extend_schema(
    summary="What you may do with a post now",
    description="The same actions as the buttons of the post's page.",
    responses={200: s.ActionSerializer(many=True), 401: ERRORS[401], 404: ERRORS[404]},
)
class PostActions(generics.GenericAPIView):
    serializer_class = s.ActionSerializer
    pagination_class = None

    def get(self, request, pk):
        post = _post(request, pk)
        actions = workflow.available_actions(post, request.user)
        return Response(described(actions, POST_ACTIONS, "api-post", post.pk))


class PostAction(generics.GenericAPIView):
    """One catalogued action on a post (a subclass per action: see `action_view`)."""

    action_name = ""

    def get_serializer_class(self):
        return NEEDS_SERIALIZERS[POST_ACTIONS[self.action_name].needs]

    def post(self, request, pk):
        spec: Action = POST_ACTIONS[self.action_name]
        post = _post(request, pk)
        data = read(self.get_serializer_class(), request.data)
        refuse_by_token(request, spec.name, post)
        before = post.state
        result = perform(spec, post, request.user, data)
        created = isinstance(result, Post)
        shown = _post(request, result.pk if created else post.pk)
        body = {
            "detail": str(spec.outcome(before, post.state).page),
            "post": s.PostSerializer(shown).data,
        }
        return Response(body, status=201 if created else 200)


def action_view(spec: Action):
    """The view of one action, with its own request body in the schema."""
    view = type(f"Post_{spec.name}", (PostAction,), {"action_name": spec.name})
    operation = extend_schema(
        summary=str(spec.label),
        operation_id=f"posts_action_{spec.name}",
        description=_describe(spec),
        request=NEEDS_SERIALIZERS[spec.needs],
        responses={
            200: s.ActionResultSerializer,
            **({201: s.ActionResultSerializer} if spec.name == "copy_to_draft" else {}),
            **ERRORS,
        },
    )
    return extend_schema_view(post=operation)(view)


def _describe(spec: Action) -> str:
    if spec.prompt:
        return f"{spec.history}. `{spec.needs}`: {spec.prompt}."
    return f"{spec.history}."


@extend_schema_view(
    get=extend_schema(
        summary="A post's comments",
        responses={200: s.CommentSerializer(many=True), **{k: ERRORS[k] for k in (400, 401, 404)}},
    ),
    post=extend_schema(
        summary="Comment on a post",
        request=s.CommentSerializer,
        responses={201: s.CommentSerializer, **{k: ERRORS[k] for k in (400, 401, 403, 404)}},
    ),
)
class PostComments(generics.GenericAPIView):
    serializer_class = s.CommentSerializer

    class pagination_class(Cursor):
        ordering = ("created_at", "pk")

    def get(self, request, pk):
        post = _post(request, pk)
        comments = post.comments.select_related("author")
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request, pk):
        post = _post(request, pk)
        data = read(s.CommentSerializer, request.data)
        comment = perform(POST_ACTIONS["comment"], post, request.user, {"text": data["body"]})
        return Response(s.CommentSerializer(comment).data, status=201)


@extend_schema(
    summary="Where a post went out, or is going",
    responses={200: s.PublicationSerializer(many=True), 401: ERRORS[401], 404: ERRORS[404]},
)
class PostPublications(generics.GenericAPIView):
    serializer_class = s.PublicationSerializer
    pagination_class = None

    def get(self, request, pk):
        post = _post(request, pk)
        # One per channel of the post: bounded by its channels.
        publications = post.publications.order_by("pk")
        return Response(s.PublicationSerializer(publications, many=True).data)
