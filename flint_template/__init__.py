"""Reading Flint's CloudFormation templates: shared by `infra/` (packaging) and `local/` (provisioning).

Neither tooling package imports the other; both import this. Short forms (`!Ref`, `!Sub`,
`!GetAtt a.b`, ...) are read into their long forms (`{"Ref": ...}`, `{"Fn::Sub": ...}`), and
`2010-09-09` stays a string, as CloudFormation reads it. Nothing here ships to Lambda.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = PROJECT_DIR / "infra" / "template.yaml"


class TemplateError(Exception):
    """The file is not a CloudFormation template."""


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation short forms (!Ref, !Sub, ...) as long-form dicts."""


# CloudFormation reads `2010-09-09` as a string, not a date.
CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short_form(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix in ("Ref", "Condition"):
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _short_form)


def load_template(path: Path | str = DEFAULT_TEMPLATE) -> dict[str, Any]:
    """The template as plain dicts and lists; TemplateError if it has no Resources."""
    with open(path, encoding="utf-8") as stream:
        template = yaml.load(stream, Loader=CfnLoader)  # CfnLoader is a SafeLoader
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    return template
