"""URL state: each page's fields round-trip; garbage is ignored with a notice."""

import pytest

from activations import shared_catalogue
from ui.url import (
    decode,
    encode,
    gallery_fields,
    runs_fields,
    search_fields,
    train_fields,
    train_param_fields,
)

NAMES = shared_catalogue().names()


def _train():
    return train_fields(NAMES) + train_param_fields(shared_catalogue(), ["elu", "gelu"])


@pytest.mark.parametrize(
    "fields, state",
    [
        (
            gallery_fields(NAMES),
            {
                "gallery.picked": ["relu", "SinActivation"],
                "gallery.show": ["f", "f″"],
                "gallery.x_range": (-3.0, 4.5),
            },
        ),
        (
            _train(),
            {
                "train.activations": ["elu", "gelu"],
                "train.dataset": "friedman",
                "train.samples": 500,
                "train.val_fraction": 0.2,
                "train.noise": 0.5,
                "train.model": "mlp",
                "train.depth": 3,
                "train.width": 16,
                "train.optimizer": "sgd",
                "train.learning_rate": 0.01,
                "train.batch_size": 32,
                "train.epochs": 7,
                "train.seeds": 2,
                "train.data_seed": 3,
                "train.elu.alpha": 0.5,
                "train.gelu.approximate": True,
            },
        ),
        (runs_fields(), {"runs.selected": [3, 1]}),
    ],
)
def test_round_trip(fields, state):
    params = encode(state, fields)
    assert all(isinstance(v, str) for v in params.values())
    values, notices = decode(params, fields)
    assert values == state and notices == []


@pytest.mark.parametrize(
    "fields, params",
    [
        (gallery_fields(NAMES), {"pick": "__import__", "show": "q", "x": "5:1"}),
        (gallery_fields(NAMES), {"x": "nan:inf", "pick": "nope"}),
        (
            _train(),
            {
                "act": "relu,relu",
                "ep": "0",
                "depth": "999",
                "lr": "1e9",
                "bs": "-5",
                "width": "abc",
                "data": "cifar",
                "val": "2",
                "p.elu.alpha": "1e300",
                "seeds": "1.5",
                "n": "9" * 400,
            },
        ),
        (runs_fields(), {"runs": "1,two"}),
    ],
)
def test_garbage_is_ignored_with_a_notice(fields, params):
    values, notices = decode(params, fields)
    assert values == {}
    assert len(notices) == len(params)


def test_an_unknown_name_is_named_and_the_rest_of_the_list_is_kept():
    # Fails if one unknown name throws away the whole list (a Gallery link with one custom
    # lost relu and mish too) or if the notice does not say which name it was.
    values, notices = decode({"pick": "relu,__import__,mish"}, gallery_fields(NAMES))
    assert values == {"gallery.picked": ["relu", "mish"]}
    assert len(notices) == 1 and "__import__" in notices[0] and "relu, mish" in notices[0]


def test_links_shared_before_keep_their_parameter_names():
    # The Train URL names as released before the settings table; renaming one breaks old links.
    released = {
        "act",
        "data",
        "n",
        "val",
        "noise",
        "model",
        "depth",
        "width",
        "opt",
        "lr",
        "bs",
        "ep",
        "seeds",
        "dseed",
    }
    # New settings may add names, never rename the released ones.
    added_since = {"inside", "lrs", "init", "sw2", "sb2"}
    assert {f.param for f in train_fields(NAMES)} == released | added_since
    assert {f.param for f in gallery_fields(NAMES)} == {"pick", "show", "x"}
    assert {f.param for f in runs_fields()} == {"runs"}


def test_a_released_link_restores_the_same_values():
    link = {
        "act": "relu,tanh",
        "data": "friedman",
        "n": "500",
        "val": "0.2",
        "noise": "0.5",
        "model": "mlp",
        "depth": "3",
        "width": "64",
        "opt": "sgd",
        "lr": "0.01",
        "bs": "32",
        "ep": "7",
        "seeds": "2",
        "dseed": "4",
    }
    values, notices = decode(link, train_fields(NAMES))
    assert notices == []
    assert values["train.activations"] == ["relu", "tanh"] and values["train.learning_rate"] == 0.01
    assert values["train.samples"] == 500 and values["train.noise"] == 0.5


def test_a_learning_rate_sweep_round_trips_and_rejects_rates_the_page_does_not_offer():
    # Fails if `lrs` loses a rate or its order on the way through a link, or if a link could set
    # a rate the sweep's widget cannot show (or the same rate twice).
    fields = train_fields(NAMES)
    state = {"train.learning_rates": [0.0001, 0.001, 0.01]}
    assert encode(state, fields)["lrs"] == "0.0001,0.001,0.01"
    values, notices = decode({"lrs": "0.0001,0.001,0.01"}, fields)
    assert values["train.learning_rates"] == [0.0001, 0.001, 0.01] and not notices
    for bad in ("0.0002", "0.001,0.001", "nan", "x"):
        values, notices = decode({"lrs": bad}, fields)
        assert "train.learning_rates" not in values and len(notices) == 1


def test_runs_stored_before_sweeps_load_with_one_rate():
    # Fails if a stored configuration without `learning_rates` no longer loads, or loads as a
    # sweep.
    from core.train.settings import TrainConfig

    old = TrainConfig().to_dict()
    del old["learning_rates"]
    config = TrainConfig.from_dict(old)
    assert config.learning_rates == () and config.rates == (config.learning_rate,)
    sweep = TrainConfig(learning_rates=(1e-3, 1e-2))
    assert TrainConfig.from_dict(sweep.to_dict()) == sweep
    assert sweep.networks == len(sweep.activations) * 2 * sweep.seeds


def test_a_gallery_link_that_picks_a_keras_alias_opens_its_activation_once():
    """Catches `pick=swish` dropped as garbage from a link while Keras's swish is silu, and an
    alias next to its own name picking silu twice."""
    fields = gallery_fields(NAMES, shared_catalogue().aliases())
    values, notices = decode({"pick": "swish,relu,silu,hard_swish"}, fields)
    assert notices == []
    assert values["gallery.picked"] == ["silu", "relu", "hard_silu"]


def test_the_search_link_and_the_search_check_share_one_range_per_setting():
    # Fails if the URL accepts a value the search refuses (K was 1-16 in the box and
    # 1-10,000 in the link): each range is typed once, in core/study/search/limits.py.
    from core.study.search.limits import LIMITS
    from core.study.search.search import SearchSettings

    fields = search_fields(["x"], ["x1 + x2"])
    params = {"k": "k", "budget": "candidates", "pop": "population", "seeds": "seeds"}
    for param, name in params.items():
        limit = LIMITS[name]
        top = int(limit.high)
        values, notices = decode({param: str(top)}, fields)
        assert values and not notices
        assert not [p for p in SearchSettings(**{name: top}).problems() if LIMITS[name].label in p]
        values, notices = decode({param: str(top + 1)}, fields)
        assert not values and len(notices) == 1
        said = SearchSettings(**{name: top + 1}).problems()
        assert any(limit.label in p and limit.text() in p for p in said)
