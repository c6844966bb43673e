"""A validation rule that rejects operations whose estimated cost is over the budget.

The cost of an operation is the sum, over its fields, of each field's weight times the number of
times it resolves. A field resolves once per item of every page above it: a field with a `first`
argument makes its selections resolve `first` times (the default page size when `first` is
omitted, the maximum page size when it is a variable: validation runs once per document, before
variables are known; a literal above the maximum counts as the maximum and is refused by the
resolver, as a variable would be). Lists without `first` (`emails`, `edges`) do not multiply:
their size is bounded by one customer's data or by the page above them. Fragments are expanded
where they are spread. The rule runs at validation, so an operation over budget never reaches a
resolver or a source system.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_interface_type,
    is_object_type,
)

from app.graph import SOURCE_FIELDS

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
# Extra weight of fields whose resolvers fetch from a source system (ERP, CRM, survey tool): an
# upstream call costs far more than a master-store read, and each one uses a share of that
# system's rate limit (`interactions` merges the timelines of every linked system). Every other
# field weighs 1.
# The fields come from the source kinds' own description (`app.graph.kinds`), with `sources`,
# which probes every linked system.
SOURCE_FIELD_WEIGHT = 10
CONNECTOR_FIELD_WEIGHTS: dict[str, int] = {
    f"Customer.{field}": SOURCE_FIELD_WEIGHT for field in (*SOURCE_FIELDS, "sources")
}
PLAIN_FIELD_WEIGHT = 1


class _CostEstimate:
    """The cost of one document's selections; each fragment is costed once (no blow-up)."""

    def __init__(
        self,
        context: ValidationContext,
        *,
        weights: dict[str, int],
        default_page_size: int,
        max_page_size: int,
    ) -> None:
        self.context = context
        self.weights = weights
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size
        self._fragments: dict[str, int] = {}
        self._expanding: set[str] = set()

    def of_selections(self, selections: SelectionSetNode | None, parent: GraphQLNamedType) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self._of_field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.context.schema.get_type(condition.name.value) if condition else parent
                total += self.of_selections(selection.selection_set, target or parent)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._of_fragment(selection.name.value)
        return total

    def _of_fragment(self, name: str) -> int:
        if name in self._fragments:
            return self._fragments[name]
        fragment = self.context.get_fragment(name)
        if fragment is None or name in self._expanding:
            # Unknown or circular: other rules report it; counting it again would never end.
            return 0
        self._expanding.add(name)
        target = self.context.schema.get_type(fragment.type_condition.name.value)
        cost = self.of_selections(fragment.selection_set, target) if target else 0
        self._expanding.discard(name)
        self._fragments[name] = cost
        return cost

    def _of_field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        definition = self._definition(node.name.value, parent)
        if definition is None:
            # An unknown field: FieldsOnCorrectTypeRule reports it.
            return PLAIN_FIELD_WEIGHT
        weight = self.weights.get(f"{parent.name}.{node.name.value}", PLAIN_FIELD_WEIGHT)
        children = self.of_selections(node.selection_set, get_named_type(definition.type))
        return weight + self._runs(node, definition) * children

    def _definition(self, name: str, parent: GraphQLNamedType) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        if is_object_type(parent) or is_interface_type(parent):
            field: GraphQLField | None = parent.fields.get(name)
            return field
        return None

    def _runs(self, node: FieldNode, definition: GraphQLField) -> int:
        """How many times the field's selections resolve per resolution of the field itself."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        if "first" in definition.args:
            value = given.get("first")
            if value is None:
                return self.default_page_size
            if isinstance(value, IntValueNode):
                # An out-of-range size is the resolver's BAD_USER_INPUT, as it is when given
                # in a variable; costing it as asked would report the client's typo as
                # QUERY_TOO_COMPLEX (and a size beyond 64 bits could not even be encoded).
                return min(max(int(value.value), 1), self.max_page_size)
            return self.max_page_size
        if "representations" in definition.args:
            value = given.get("representations")
            if isinstance(value, ListValueNode):
                return max(len(value.values), 1)
            if isinstance(value, VariableNode):
                return self.max_page_size
        return 1


def query_cost_rule(
    *,
    max_cost: int,
    default_page_size: int,
    max_page_size: int,
    weights: dict[str, int] | None = None,
) -> type[ValidationRule]:
    """A validation rule class rejecting operations estimated above `max_cost`.

    Build it once per schema: the validation cache keys on the rule classes, so a new class per
    request would make every request miss it.
    """
    field_weights = CONNECTOR_FIELD_WEIGHTS if weights is None else weights

    class QueryCostRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if not isinstance(root, GraphQLObjectType):
                return
            estimate = _CostEstimate(
                self.context,
                weights=field_weights,
                default_page_size=default_page_size,
                max_page_size=max_page_size,
            )
            cost = estimate.of_selections(node.selection_set, root)
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"the operation's estimated cost {cost} is over the limit of {max_cost};"
                        " ask for smaller pages or fewer fields",
                        node,
                        extensions={"code": QUERY_TOO_COMPLEX, "cost": cost, "maxCost": max_cost},
                    )
                )

    return QueryCostRule
