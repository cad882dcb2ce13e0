"""The one interpreter of a template's values: parameters, conditions, Rules and intrinsic functions.

`local/provision.py` resolves every property of the resources it creates with it, and
`infra/` (packaging) resolves the physical names the app is configured with; neither keeps
its own reading of `Fn::If`, `Fn::Sub` or a condition. What a reference to a resource or a
pseudo parameter means is the caller's: a provisioner answers with what it created, the
packager with "only known in AWS" (`Unresolved`), which it then skips.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
CONDITION_FUNCTIONS = frozenset({"Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"})
VALUE_FUNCTIONS = frozenset({"Fn::If", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split"})
INTRINSIC_FUNCTIONS = VALUE_FUNCTIONS | CONDITION_FUNCTIONS


class TemplateValueError(Exception):
    """The template asks for something this interpreter cannot evaluate (or is inconsistent)."""


class Unresolved(Exception):
    """A value only AWS knows (a resource's id, the account): the caller decides what that means."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


def sub_names(text: str) -> list[str]:
    """The names `${...}` refers to in a Fn::Sub string (`${!Literal}` is an escaped literal)."""
    return [name.strip() for name in SUB_VARIABLE.findall(text) if not name.startswith("!")]


def _unresolved_resource(name: str) -> Any:
    raise Unresolved(name)


def _unresolved_attribute(name: str, attribute: str) -> Any:
    raise Unresolved(f"{name}.{attribute}")


class Evaluator:
    """Evaluates values of one template for given parameters.

    `resource` answers `Ref` to a resource, `attribute` answers `Fn::GetAtt`, `pseudo` the
    pseudo parameters (`AWS::Region`, ...); each may raise `Unresolved`. `AWS::NoValue` is
    built in: it drops the key or list item it stands for.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any],
        *,
        resource: Callable[[str], Any] = _unresolved_resource,
        attribute: Callable[[str, str], Any] = _unresolved_attribute,
        pseudo: Mapping[str, Callable[[], Any]] | None = None,
    ) -> None:
        self.template = template
        self.parameters = parameters
        self._resource = resource
        self._attribute = attribute
        self._pseudo = dict(pseudo or {})
        self._conditions: dict[str, bool] = {}

    # rules and conditions

    def failed_rules(self) -> list[str]:
        """The assertions of the template's Rules these parameters fail, as CloudFormation checks them."""
        failed = []
        for name, rule in (self.template.get("Rules") or {}).items():
            if "RuleCondition" in rule and not self.evaluate(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self.evaluate(assertion["Assert"]):
                    failed.append(f"{name}: {assertion.get('AssertDescription', 'assertion failed')}")
        return failed

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateValueError(f"unknown condition {name!r}")
            self._conditions[name] = self.evaluate(conditions[name])
        return self._conditions[name]

    def evaluate(self, node: Any) -> bool:
        """A condition expression (Fn::Equals/Not/And/Or, Condition) as a bool."""
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            raise TemplateValueError(f"bad condition expression {node!r}")
        ((key, value),) = node.items()
        if key == "Condition":
            return self.condition(value)
        if key == "Fn::Equals":
            left, right = (self.resolve(item) for item in value)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self.evaluate(value[0])
        if key == "Fn::And":
            return all(self.evaluate(item) for item in value)
        if key == "Fn::Or":
            return any(self.evaluate(item) for item in value)
        raise TemplateValueError(f"unhandled condition function {key!r}")

    # values

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in (self.resolve(v) for v in node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                return self.ref(value)
            if key.startswith("Fn::"):
                return self._function(key, value)
        resolved = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            if name not in self._pseudo:
                raise Unresolved(name)
            return self._pseudo[name]()
        return self._resource(name)

    def _function(self, key: str, value: Any) -> Any:
        if key == "Fn::If":
            condition, if_true, if_false = value
            return self.resolve(if_true if self.condition(condition) else if_false)
        if key == "Fn::GetAtt":
            parts = value.split(".", 1) if isinstance(value, str) else self.resolve(value)
            return self._attribute(parts[0], parts[1])
        if key == "Fn::Sub":
            return self._sub(value)
        if key == "Fn::Join":
            delimiter, items = value
            return str(delimiter).join(str(item) for item in self.resolve(items))
        if key == "Fn::Select":
            index, items = self.resolve(value)
            return items[int(index)]
        if key == "Fn::Split":
            delimiter, text = self.resolve(value)
            return str(text).split(delimiter)
        if key in CONDITION_FUNCTIONS:
            return self.evaluate({key: value})
        raise TemplateValueError(f"unhandled intrinsic function {key!r}")

    def _sub(self, value: Any) -> str:
        if isinstance(value, str):
            text, variables = value, {}
        else:
            text, variables = value[0], self.resolve(value[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            resource, dot, attribute = name.partition(".")
            if dot and resource in self.template.get("Resources", {}):
                return str(self._attribute(resource, attribute))
            return str(self.ref(name))

        return SUB_VARIABLE.sub(replace, text)


def parameter_values(declared: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, Any]:
    """Each declared parameter's value (given, else its default), checked as CloudFormation checks it."""
    unknown = set(given) - set(declared)
    if unknown:
        raise TemplateValueError(f"unknown parameters {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in given:
            value: Any = str(given[name])
        elif "Default" in spec:
            value = str(spec["Default"])
        else:
            raise TemplateValueError(f"parameter {name} has no default and was not given")
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in [str(a) for a in allowed]:
            raise TemplateValueError(f"parameter {name}={value!r} not in {allowed}")
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise TemplateValueError(f"parameter {name}={value!r} does not match {pattern}")
        if str(spec.get("Type", "String")) == "CommaDelimitedList":
            value = [item.strip() for item in value.split(",")]
        values[name] = value
    return values
