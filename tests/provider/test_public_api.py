"""The public surface of the provider package is what the README documents."""

from __future__ import annotations

import inspect

import pulumi.dynamic

import provider


def test_public_names_are_sorted_documented_and_exported() -> None:
    assert provider.__all__ == sorted(provider.__all__, key=lambda n: (not n.isupper(), n))
    for name in provider.__all__:
        obj = getattr(provider, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"
    assert {"EcsTags", "EcsTagsArgs", "DescribeTagsProvider"} <= set(provider.__all__)


def test_classes_are_what_pulumi_expects() -> None:
    assert issubclass(provider.DescribeTagsProvider, pulumi.dynamic.ResourceProvider)
    assert issubclass(provider.EcsTags, pulumi.dynamic.Resource)
    assert provider.EcsTags._resource_type_name == "dynamic/alicloud:EcsTags"
    errors = (
        provider.QueryValidationError,
        provider.ConfigurationError,
        provider.ApiError,
        provider.TransportError,
        provider.PagingConsistencyError,
    )
    assert all(issubclass(e, provider.EcsTagsError) for e in errors)
    assert provider.RESOURCE_TYPES[:5] == ("disk", "instance", "image", "securitygroup", "snapshot")
