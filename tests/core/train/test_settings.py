"""`TrainConfig` is declared field by field, so an editor and a type checker see its fields, while
the settings table gives each field its URL name, range or choices, label and widget. These tests
fail if a row is added without its field (or a field without its row), if the two orders or
defaults drift apart, or if a field is declared as another kind of value than its row checks."""

import dataclasses
import pickle
import typing

import pytest

from core.train.settings import SETTINGS, TrainConfig


def test_every_setting_is_a_field_in_the_tables_order_with_the_tables_default():
    fields = dataclasses.fields(TrainConfig)
    assert [f.name for f in fields] == [s.name for s in SETTINGS]
    assert {f.name: f.default for f in fields} == {s.name: s.default for s in SETTINGS}


def test_each_field_is_declared_as_the_kind_of_value_its_setting_checks():
    hints = typing.get_type_hints(TrainConfig)
    declared = {name: typing.get_origin(hint) or hint for name, hint in hints.items()}
    assert declared == {s.name: s.type for s in SETTINGS}


def test_a_configuration_is_frozen_plain_data_that_pickles_and_round_trips():
    # Ray ships a job's configuration to other processes; the run store keeps it as a dict.
    config = TrainConfig(activations=("elu",), activation_params=(("elu", (("alpha", 0.5),)),))
    assert pickle.loads(pickle.dumps(config)) == config
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert TrainConfig().problems() == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 1  # type: ignore[misc]
