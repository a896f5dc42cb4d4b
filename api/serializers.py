"""What the API shows of each object, and what each write takes.

Reading: only fields a page of the same user shows; a channel never shows its settings
or credentials. Writing: these serializers check the shape of the JSON (types, lengths);
what a value may be for this user (a channel of their department, a campaign they see,
a time that exists in their zone…) is checked by the post editor's own form and the
workflow functions (see api/views/posts.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from editorial.content import shown_hash
from editorial.forms.fields import EARLIEST_YEAR, LATEST_YEAR
from editorial.models import (
    Campaign,
    Category,
    Channel,
    Comment,
    Post,
    PostState,
    Publication,
    WeeklyPlan,
)
from editorial.workflow.texts import COMMENT_MAX

# The largest id a row can have (a 64-bit signed integer, as the databases store it): a
# larger number names nothing, and must not reach the database, which would refuse it.
MAX_ID = 2**63 - 1


def IdField(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class TimeField(serializers.DateTimeField):
    """A moment as ISO 8601 with its offset, in the years a post may have (as on the
    pages: no zone's arithmetic overflows, a plan always fits)."""

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise serializers.ValidationError(
                _("Choose a time between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return moment


class ChannelSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="department_id", read_only=True)

    class Meta:
        model = Channel
        fields = ["id", "name", "network", "handle", "department", "is_active"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="department_id", read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "description", "starts_on", "ends_on", "department"]
        read_only_fields = fields


class VariantSerializer(serializers.Serializer):
    channel = serializers.IntegerField(source="channel_id")
    body = serializers.CharField()


class PostSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="origin_department_id", read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True, allow_null=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True, allow_null=True)
    author = serializers.CharField(source="author.username", read_only=True)
    channels = serializers.SerializerMethodField()
    variants = VariantSerializer(many=True, read_only=True)
    content_hash = serializers.SerializerMethodField(
        help_text="The content as shown here: send it back with an approval."
    )
    url = serializers.SerializerMethodField(help_text="The post's page.")

    class Meta:
        model = Post
        fields = [
            "id",
            "title",
            "body",
            "category",
            "state",
            "scheduled_at",
            "department",
            "campaign",
            "plan",
            "channels",
            "variants",
            "author",
            "urgent",
            "sensitive",
            "sensitive_reason",
            "content_hash",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_channels(self, post) -> list[int]:
        return [channel.pk for channel in post.channels.all()]

    def get_content_hash(self, post) -> str:
        return shown_hash(post)

    def get_url(self, post) -> str:
        return reverse("post-detail", args=[post.pk])


class PostWriteSerializer(serializers.Serializer):
    """A post to create, or the fields to change (any left out stay as they are)."""

    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20_000)
    category = serializers.ChoiceField(choices=Category.choices)
    scheduled_at = TimeField(required=False, allow_null=True, help_text="ISO 8601 with its offset.")
    department = IdField(required=False, help_text="Needed when you work in several departments.")
    channels = serializers.ListField(child=IdField(), required=False, max_length=50)
    campaign = IdField(required=False, allow_null=True)
    variants = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20_000),
        required=False,
        help_text="A channel's own text, by channel id.",
    )
    content_hash = serializers.CharField(
        required=False,
        max_length=64,
        help_text=(
            "On a change: the content_hash you read; a change made meanwhile is refused (409)."
        ),
    )


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    needs = serializers.CharField(
        allow_blank=True, help_text="What the action needs besides the call."
    )
    method = serializers.CharField()
    url = serializers.CharField()


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=COMMENT_MAX)


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=COMMENT_MAX, required=False, allow_blank=True)


class ShownContentSerializer(serializers.Serializer):
    content_hash = serializers.CharField(
        max_length=64, help_text="The post's content_hash as you read it."
    )


class TimeSerializer(serializers.Serializer):
    when = TimeField(help_text="ISO 8601 with its offset.")


class OptionalTimeSerializer(serializers.Serializer):
    when = TimeField(required=False, allow_null=True)


class EmptySerializer(serializers.Serializer):
    pass


class ShownItemSerializer(serializers.Serializer):
    post = IdField()
    content_hash = serializers.CharField(max_length=64)


class ShownItemsSerializer(serializers.Serializer):
    shown = ShownItemSerializer(
        many=True, help_text="Each item you reviewed, with the content_hash you read."
    )


class ActionResultSerializer(serializers.Serializer):
    detail = serializers.CharField()
    post = PostSerializer()


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {"body": {"max_length": COMMENT_MAX}}


class PublicationSerializer(serializers.ModelSerializer):
    channel = serializers.IntegerField(source="channel_id", read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "channel",
            "state",
            "attempts",
            "external_url",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="team_id", read_only=True)
    monday = serializers.DateField(read_only=True)
    posts = serializers.SerializerMethodField()

    class Meta:
        model = WeeklyPlan
        fields = ["id", "team", "iso_year", "iso_week", "monday", "state", "posts", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_posts(self, plan) -> list[int]:
        return [post.pk for post in plan.posts.all()]


class PlanResultSerializer(serializers.Serializer):
    detail = serializers.CharField()
    plan = PlanSerializer()


class PostFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=PostState.choices, required=False)
    channel = IdField(required=False)
    department = IdField(required=False)
    scheduled_from = TimeField(required=False)
    scheduled_to = TimeField(required=False)
    q = serializers.CharField(
        required=False,
        min_length=3,
        max_length=200,
        help_text="In the title, the text and the channels' own texts (3 characters at least).",
    )
