"""Public configuration, the OpenAPI document, profiles and onboarding, through the real app."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from openapi_spec_validator import validate as validate_openapi

from local import demo_data
from local.provision import ProvisionedStack
from local.seed import seed_interests
from tests import tokens
from tests.conftest import SignedInMember
from tests.support.http import assert_error, body

INTEREST_IDS = [interest_id for interest_id, _ in demo_data.INTERESTS]
NewMember = Callable[..., SignedInMember]


# --- helpers --------------------------------------------------------------------------------------


def get(api: Any, path: str, member: SignedInMember | None = None) -> Any:
    return api.http.get(path, headers=member.headers if member else {})


def send(api: Any, method: str, path: str, payload: Any, member: SignedInMember) -> Any:
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    return api.http.request(
        method, path, body=raw.encode(), headers={"Content-Type": "application/json", **member.headers}
    )


def detail_fields(error: dict[str, Any]) -> set[str]:
    return {d["field"] for d in error["details"]}


def all_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from all_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from all_keys(inner)


# --- public configuration -------------------------------------------------------------------------


def test_health_answers_ok(api: Any) -> None:
    response = get(api, "/health")
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}


def test_config_names_the_stacks_pool_and_the_emulator(
    api: Any, stack: ProvisionedStack, aws_env: str
) -> None:
    # When a client reads the public configuration
    config = body(get(api, "/config"))
    # Then it finds the provisioned pool, the embedded Cognito endpoint and the onboarding rule
    assert config["user_pool_id"] == stack.outputs["UserPoolId"]
    assert config["user_pool_client_id"] == stack.outputs["UserPoolClientId"]
    assert config["cognito_endpoint"] == aws_env
    assert config["region"] == "us-east-1"
    assert config["min_interests"] == 5
    assert config["max_upload_bytes"] > 0
    assert set(config["thumbnail_sizes"]) >= {"small", "medium", "large"}


def test_openapi_is_a_valid_openapi_3_document(api: Any) -> None:
    document = body(get(api, "/openapi.json"))
    assert document["openapi"].startswith("3.")
    validate_openapi(document)


def test_openapi_documents_every_registered_route(api: Any) -> None:
    from app import app
    from chalicelib.api.routing import ROUTES

    # Given the routes the edge registered, and those Chalice actually serves
    registered = {(spec.path, spec.method.lower()) for spec in ROUTES}
    served = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    # When the document is fetched
    paths = body(get(api, "/openapi.json"))["paths"]
    documented = {(path, method) for path, operations in paths.items() for method in operations}
    # Then each one is documented, and nothing else is
    assert registered == served == documented


def test_openapi_references_all_resolve(api: Any) -> None:
    document = body(get(api, "/openapi.json"))

    def resolve(ref: str) -> Any:
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
            node = node[part]
        return node

    refs = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for inner in node.values():
                walk(inner)
        elif isinstance(node, list):
            for inner in node:
                walk(inner)

    walk(document)
    assert refs, "expected request and response schemas by reference"
    for ref in refs:
        assert isinstance(resolve(ref), dict)


def test_openapi_has_request_and_response_schemas(api: Any) -> None:
    paths = body(get(api, "/openapi.json"))["paths"]
    patch_me = paths["/me"]["patch"]
    assert patch_me["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProfilePatch")
    assert patch_me["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Me")
    assert patch_me["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )


# --- interests ------------------------------------------------------------------------------------


def test_the_interest_catalog_lists_every_interest(api: Any, private_table: str) -> None:
    # Given the demo interests (in a table of this test's own: other tests add interests of theirs)
    seed_interests()
    # When anyone lists them
    response = get(api, "/interests")
    # Then each has an id and a name
    assert response.status_code == 200
    items = body(response)["items"]
    assert len(items) >= 20
    assert all(set(item) == {"id", "name"} and item["id"] and item["name"] for item in items)
    assert {item["id"] for item in items} == set(INTEREST_IDS)


# --- own profile ----------------------------------------------------------------------------------


def test_the_first_call_to_me_creates_the_profile(api: Any, new_member: NewMember) -> None:
    # Given a member who just signed up
    member = new_member()
    # When they first read their profile
    response = get(api, "/me", member)
    # Then it exists, is not onboarded and has no activity
    assert response.status_code == 200
    me = body(response)
    assert me["id"] == member.user_id
    assert me["onboarded"] is False
    assert me["interests"] == []
    assert me["counts"] == {"posts": 0, "smiles_received": 0, "followers": 0, "following": 0}
    assert me["prime"] is False
    assert me["brand"] is False
    assert me["followed_by_me"] is False


def test_prime_on_me_reflects_the_prime_group(api: Any, new_member: NewMember) -> None:
    prime = new_member("prime")
    assert body(get(api, "/me", prime))["prime"] is True


def test_a_default_display_name_never_shows_the_email(api: Any, new_member: NewMember) -> None:
    # Given a member who signed up with only an e-mail address
    member = new_member()
    # When their profile is shown
    me = body(get(api, "/me", member))
    # Then the name is a neutral placeholder, not the address or its local part
    assert me["display_name"]
    assert "@" not in me["display_name"]
    assert member.email.split("@")[0] not in me["display_name"]


def test_the_name_claim_of_the_token_is_the_first_display_name(api: Any, stack: ProvisionedStack) -> None:
    # Given an ID token carrying a `name` claim (the emulator only adds it for clients with
    # ReadAttributes, so the token is minted with the emulator's key here)
    robin = f"robin-{uuid.uuid4()}"
    token = tokens.sign(
        tokens.claims(
            pool_id=stack.outputs["UserPoolId"],
            client_id=stack.outputs["UserPoolClientId"],
            sub=robin,
            name="  Robin Hood ",
            email="robin@example.com",
        )
    )
    # When the member first calls the API
    me = body(api.http.get("/me", headers={"Authorization": f"Bearer {token}"}))
    # Then the trimmed name is their display name
    assert me["id"] == robin
    assert me["display_name"] == "Robin Hood"


def test_patch_me_changes_display_name_and_bio(api: Any, new_member: NewMember) -> None:
    member = new_member()
    response = send(api, "PATCH", "/me", {"display_name": "Ada", "bio": "Bakes bread."}, member)
    assert response.status_code == 200
    assert body(response)["display_name"] == "Ada"
    assert body(response)["bio"] == "Bakes bread."
    # And the change is stored
    assert body(get(api, "/me", member))["display_name"] == "Ada"


@pytest.mark.parametrize(
    "patch",
    [{"display_name": "x"}, {"display_name": "x" * 50}, {"bio": ""}, {"bio": "b" * 280}],
    ids=["name-1", "name-50", "bio-empty", "bio-280"],
)
def test_patch_me_accepts_values_at_the_limits(
    api: Any, new_member: NewMember, patch: dict[str, str]
) -> None:
    member = new_member()
    response = send(api, "PATCH", "/me", patch, member)
    assert response.status_code == 200
    for field, value in patch.items():
        assert body(response)[field] == value


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 51}, "display_name"),
        ({"display_name": "bad\nname"}, "display_name"),
        ({"display_name": 42}, "display_name"),
        ({"bio": "b" * 281}, "bio"),
    ],
    ids=["name-empty", "name-blank", "name-51", "name-control-char", "name-not-a-string", "bio-281"],
)
def test_patch_me_rejects_invalid_values_with_a_422_naming_the_field(
    api: Any, new_member: NewMember, patch: dict[str, Any], field: str
) -> None:
    member = new_member()
    error = assert_error(send(api, "PATCH", "/me", patch, member), 422, "validation_error")
    assert detail_fields(error) == {field}


def test_patch_me_rejects_an_unknown_field_by_name(api: Any, new_member: NewMember) -> None:
    member = new_member()
    error = assert_error(
        send(api, "PATCH", "/me", {"display_name": "Ok", "email": "x@example.com"}, member),
        422,
        "validation_error",
    )
    assert detail_fields(error) == {"email"}


def test_patch_me_with_an_empty_object_changes_nothing(api: Any, new_member: NewMember) -> None:
    # Given a member with a name and a bio
    member = new_member()
    before = body(send(api, "PATCH", "/me", {"display_name": "Ada", "bio": "Hi"}, member))
    # When they send an empty patch
    response = send(api, "PATCH", "/me", {}, member)
    # Then the profile is unchanged
    assert response.status_code == 200
    assert body(response) == before


@pytest.mark.parametrize(
    "raw", ["{not json", "", "[1, 2", "\xff"], ids=["broken", "empty", "truncated", "bytes"]
)
def test_patch_me_with_bad_json_is_400_bad_json(api: Any, new_member: NewMember, raw: str) -> None:
    member = new_member()
    assert_error(send(api, "PATCH", "/me", raw, member), 400, "bad_json")


def test_patch_me_with_a_json_array_is_a_422(api: Any, new_member: NewMember) -> None:
    member = new_member()
    assert_error(send(api, "PATCH", "/me", [], member), 422, "validation_error")


# --- onboarding -----------------------------------------------------------------------------------


def test_choosing_five_interests_onboards_the_member(api: Any, new_member: NewMember) -> None:
    # Given the interest catalog and a new member
    seed_interests()
    member = new_member()
    chosen = INTEREST_IDS[:5]
    # When they choose five interests
    response = send(api, "PUT", "/me/interests", {"interests": chosen}, member)
    # Then they are onboarded and their profile lists them
    assert response.status_code == 200
    assert body(response) == {"interests": chosen}
    me = body(get(api, "/me", member))
    assert me["onboarded"] is True
    assert me["interests"] == chosen


def test_twenty_interests_are_allowed(api: Any, new_member: NewMember) -> None:
    seed_interests()
    member = new_member()
    response = send(api, "PUT", "/me/interests", {"interests": INTEREST_IDS[:20]}, member)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [0, 4, 21])
def test_too_few_or_too_many_interests_is_a_422(api: Any, new_member: NewMember, count: int) -> None:
    # Given a member choosing a number of known interests outside 5..20
    seed_interests()
    member = new_member()
    # When they submit them
    response = send(api, "PUT", "/me/interests", {"interests": INTEREST_IDS[:count]}, member)
    # Then it is refused and they stay un-onboarded
    error = assert_error(response, 422, "validation_error")
    assert detail_fields(error) == {"interests"}
    assert body(get(api, "/me", member))["onboarded"] is False


def test_an_unknown_interest_is_a_422_naming_its_position(api: Any, new_member: NewMember) -> None:
    seed_interests()
    member = new_member()
    chosen = [*INTEREST_IDS[:4], "no-such-interest", INTEREST_IDS[4]]
    error = assert_error(
        send(api, "PUT", "/me/interests", {"interests": chosen}, member), 422, "validation_error"
    )
    assert detail_fields(error) == {"interests.4"}


def test_an_unknown_interest_after_a_repeat_is_named_at_its_position_in_the_request(
    api: Any, new_member: NewMember
) -> None:
    # Given a request that repeats an id before an unknown one
    seed_interests()
    member = new_member()
    chosen = [INTEREST_IDS[0], INTEREST_IDS[0], *INTEREST_IDS[1:5], "no-such-interest"]
    # When it is submitted
    response = send(api, "PUT", "/me/interests", {"interests": chosen}, member)
    # Then the detail points at the unknown id where the client put it
    error = assert_error(response, 422, "validation_error")
    assert detail_fields(error) == {"interests.6"}


def test_repeated_interests_count_once(api: Any, new_member: NewMember) -> None:
    # Given four distinct interests, one of them sent twice
    seed_interests()
    member = new_member()
    chosen = [*INTEREST_IDS[:4], INTEREST_IDS[0]]
    # When they are submitted
    response = send(api, "PUT", "/me/interests", {"interests": chosen}, member)
    # Then four distinct ids are too few
    assert_error(response, 422, "validation_error")


def test_repeated_interests_are_stored_once(api: Any, new_member: NewMember) -> None:
    seed_interests()
    member = new_member()
    chosen = [*INTEREST_IDS[:5], INTEREST_IDS[2], INTEREST_IDS[0]]
    response = send(api, "PUT", "/me/interests", {"interests": chosen}, member)
    assert body(response) == {"interests": INTEREST_IDS[:5]}
    assert body(get(api, "/me", member))["interests"] == INTEREST_IDS[:5]


def test_choosing_again_replaces_the_interests(api: Any, new_member: NewMember) -> None:
    seed_interests()
    member = new_member()
    send(api, "PUT", "/me/interests", {"interests": INTEREST_IDS[:5]}, member)
    send(api, "PUT", "/me/interests", {"interests": INTEREST_IDS[5:10]}, member)
    assert body(get(api, "/me", member))["interests"] == INTEREST_IDS[5:10]


def test_interests_must_be_a_list_of_strings(api: Any, new_member: NewMember) -> None:
    member = new_member()
    error = assert_error(
        send(api, "PUT", "/me/interests", {"interests": "cooking"}, member), 422, "validation_error"
    )
    assert detail_fields(error) == {"interests"}


# --- public profiles ------------------------------------------------------------------------------


def test_a_public_profile_is_readable_without_a_token(api: Any, new_member: NewMember) -> None:
    # Given a member with a name and bio
    member = new_member()
    send(api, "PATCH", "/me", {"display_name": "Ada", "bio": "Bakes bread."}, member)
    # When anyone reads their profile anonymously
    response = get(api, f"/users/{member.user_id}")
    # Then it shows the public fields only
    assert response.status_code == 200
    assert body(response) == {
        "id": member.user_id,
        "display_name": "Ada",
        "bio": "Bakes bread.",
        "badges": [],
        "counts": {"posts": 0, "smiles_received": 0, "followers": 0, "following": 0},
        "followed_by_me": False,
        "avatar": None,
        "blocked_by_me": False,
    }


def test_a_public_profile_read_by_a_member_who_does_not_follow_says_so(
    api: Any, new_member: NewMember
) -> None:
    author, viewer = new_member(), new_member()
    get(api, "/me", author)
    response = get(api, f"/users/{author.user_id}", viewer)
    assert response.status_code == 200
    assert body(response)["followed_by_me"] is False


def test_a_public_profile_hides_private_fields(api: Any, new_member: NewMember) -> None:
    seed_interests()
    member = new_member("prime")
    send(api, "PUT", "/me/interests", {"interests": INTEREST_IDS[:5]}, member)
    profile = body(get(api, f"/users/{member.user_id}"))
    assert not {"interests", "prime", "brand", "onboarded", "email"} & set(profile)


def test_an_unknown_user_is_a_404(api: Any) -> None:
    assert_error(get(api, "/users/no-such-user"), 404, "not_found")


def test_a_member_has_no_public_profile_before_their_first_call(api: Any, new_member: NewMember) -> None:
    member = new_member()
    assert_error(get(api, f"/users/{member.user_id}"), 404, "not_found")
    get(api, "/me", member)
    assert get(api, f"/users/{member.user_id}").status_code == 200


# --- answers never leak storage -------------------------------------------------------------------


def test_no_answer_carries_table_keys(api: Any, new_member: NewMember) -> None:
    # Given a member with a profile and interests
    seed_interests()
    member = new_member("prime")
    send(api, "PUT", "/me/interests", {"interests": INTEREST_IDS[:5]}, member)
    # When every member route answers
    answers = [
        get(api, "/me", member),
        send(api, "PATCH", "/me", {"bio": "hi"}, member),
        send(api, "PUT", "/me/interests", {"interests": INTEREST_IDS[:5]}, member),
        get(api, f"/users/{member.user_id}"),
        get(api, f"/users/{member.user_id}", member),
        get(api, "/interests"),
    ]
    # Then none carries a key attribute or the entity discriminator
    storage = {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "type", "expires_at"}
    for response in answers:
        assert response.status_code == 200
        keys = set(all_keys(body(response)))
        assert not keys & storage, (response, keys & storage)


# --- auth failures, as clients see them through the gateway ---------------------------------------


def test_patch_me_without_a_token_is_401_with_the_error_body(http_api: str) -> None:
    response = requests.patch(f"{http_api}/me", json={"bio": "x"}, timeout=10)
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "unauthorized", "message": response.json()["error"]["message"]}
    }


def test_put_interests_with_a_garbage_token_is_401_with_the_error_body(http_api: str) -> None:
    response = requests.put(
        f"{http_api}/me/interests",
        json={"interests": INTEREST_IDS[:5]},
        headers={"Authorization": "Bearer not.a.jwt"},
        timeout=10,
    )
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message"}
    assert response.json()["error"]["code"] == "invalid_token"


def test_a_malformed_authorization_header_on_a_public_route_is_401(api: Any) -> None:
    response = api.http.get("/users/anyone", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error(response, 401, "invalid_token")
