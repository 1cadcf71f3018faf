"""Alibaba Cloud ECS ``DescribeTags`` as a read-only Pulumi resource.

``EcsTags`` is what programs construct; ``DescribeTagsProvider`` is its dynamic provider.
See the README section "EcsTags" for inputs, outputs, configuration and errors.
"""

from ._client import LookupResult, TagPair
from ._config import ProviderSettings
from ._errors import (
    ApiError,
    ConfigurationError,
    DescribeTagsError,
    EcsTagsError,
    InputFailure,
    PagingConsistencyError,
    QueryValidationError,
    TransportError,
)
from ._inputs import RESOURCE_TYPES, TagFilter, TagQuery, parse_query, query_id
from ._provider import DescribeTagsProvider
from ._resource import EcsTags, EcsTagsArgs

__all__ = [
    "RESOURCE_TYPES",
    "ApiError",
    "ConfigurationError",
    "DescribeTagsError",
    "DescribeTagsProvider",
    "EcsTags",
    "EcsTagsArgs",
    "EcsTagsError",
    "InputFailure",
    "LookupResult",
    "PagingConsistencyError",
    "ProviderSettings",
    "QueryValidationError",
    "TagFilter",
    "TagPair",
    "TagQuery",
    "TransportError",
    "parse_query",
    "query_id",
]
