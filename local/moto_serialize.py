"""A cheaper response serializer for the embedded AWS's DynamoDB and DynamoDB Streams.

moto 5.2 writes every response by walking the operation's botocore output shape, and looks up each
member of each structure through a chain of alias providers (the key, its snake_case form, class
and shape prefixes...), building a context object per lookup. An `AttributeValue` is a structure,
so every attribute of every item returned costs that walk: with streams and queries returning
thousands of items it was ~80% of the emulator's CPU (`FLINT_AWS_PROFILE`, docs/testing.md).

DynamoDB's results reach the serializer as plain dicts. For a plain dict the keys the alias chain
tries depend only on the member's name, its shape and its parent shape, so this serializer asks
moto's own picker for that list once per member shape and then looks the keys up directly;
everything else (shapes, types, timestamps, blobs, errors, the JSON body) is moto's code. Responses
that moto post-processes by key path (`RESPONSE_KEY_PATH_TO_TRANSFORMER`) take moto's own path.
tests/unit/test_moto_serialize.py checks that both give identical bodies.
"""

from __future__ import annotations

from typing import Any

from moto.core import responses as moto_responses
from moto.core import serialize as moto_serialize
from moto.core.serialize import AttributePicker, AttributePickerContext, JSONSerializer, ResponseDict

SERVICES = ("dynamodb", "dynamodbstreams")


class LeanJSONSerializer(JSONSerializer):
    _lean = False

    def serialize(self, result: Any) -> ResponseDict:
        picker = self._value_picker
        # Dotted keys are paths to moto's picker, and transformers read the key path: moto's way then.
        self._lean = isinstance(picker, AttributePicker) and not picker.response_transformers
        return super().serialize(result)

    def _serialize(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if not self._lean:  # the key path is only read by response transformers
            super()._serialize(serialized, value, shape, key)
            return
        method = getattr(self, "_serialize_type_" + shape.type_name, self._default_serialize)
        method(serialized, value, shape, key)

    def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if not self._lean or type(value) is not dict or shape.is_document_type:
            super()._serialize_type_structure(serialized, value, shape, key)
            return
        plan = self._plan(value, shape)
        if plan is None:
            super()._serialize_type_structure(serialized, value, shape, key)
            return
        members, members_trying = plan
        wrapper: Any = {} if key else serialized
        # Only members one of whose keys is in the dict can have a value; moto's order is kept.
        for position in sorted({p for k in value if k in members_trying for p in members_trying[k]}):
            member_key, member_shape, keys = members[position]
            member_shape.parent = shape
            member_value = next((value[candidate] for candidate in keys if candidate in value), None)
            if member_value is not None:
                self._serialize(wrapper, member_value, member_shape, member_key)
        if key:
            self._default_serialize(serialized, wrapper, shape, key)

    def _plan(self, value: dict[str, Any], shape: Any) -> tuple[list[Any], dict[str, list[int]]] | None:
        """For a structure shape: its members with the keys moto's picker tries for each in a plain
        dict (they depend only on the member's name, its shape and its parent, so they are worked
        out once per shape), and which members try each key. None if a key is a dotted path."""
        if "_flint_plan" in shape.__dict__:
            return shape.__dict__["_flint_plan"]  # type: ignore[no-any-return]
        members: list[Any] = []
        members_trying: dict[str, list[int]] = {}
        for position, (member_key, member_shape) in enumerate(shape.members.items()):
            member_shape.parent = shape
            context = AttributePickerContext(
                obj=value,
                key=member_key,
                shape=member_shape,
                operation_model=self.operation_model,
                service_model=self.operation_model.service_model,
            )
            keys = tuple(self._value_picker.get_possible_keys(context))
            if any("." in candidate for candidate in keys):
                shape._flint_plan = None
                return None
            members.append((member_key, member_shape, keys))
            for candidate in keys:
                members_trying.setdefault(candidate, []).append(position)
        shape._flint_plan = (members, members_trying)
        return members, members_trying


_stock_serializer_class = moto_serialize.get_serializer_class


def serializer_class(service_name: str, protocol: str) -> type[moto_serialize.ResponseSerializer]:
    stock = _stock_serializer_class(service_name, protocol)
    if service_name in SERVICES and stock is JSONSerializer:
        return LeanJSONSerializer
    return stock


def install() -> None:
    """Serialize DynamoDB and Streams responses with LeanJSONSerializer in this process (idempotent)."""
    moto_responses.get_serializer_class = serializer_class  # type: ignore[assignment]
