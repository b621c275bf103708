"""utils.train_plan: the start model described from its files (sharded safetensors, pickles only, hub ids,
folders not written yet), the safetensors header read by the format's spec."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from utils.errors import InputError
from utils.train_plan import describe_start_model, safetensors_parameters


def _config(folder: Path, **doc) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(doc), encoding="utf-8")


def test_sharded_safetensors_are_summed_over_the_shards_the_index_names(tmp_path):
    _config(tmp_path, architectures=["Wav2Vec2BertModel"])
    save_file({"a": np.zeros((4, 5), np.float16)}, str(tmp_path / "model-00001-of-00002.safetensors"))
    save_file({"b": np.zeros((3,), np.float32), "c": np.zeros((2, 2), np.float32)},
              str(tmp_path / "model-00002-of-00002.safetensors"))
    index = {"metadata": {"total_size": 0}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                                                           "b": "model-00002-of-00002.safetensors",
                                                           "c": "model-00002-of-00002.safetensors"}}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index), encoding="utf-8")
    assert describe_start_model(str(tmp_path)) == f"start model {tmp_path}: Wav2Vec2BertModel, 27 parameters (0.00M)"


def test_a_pickle_only_checkpoint_is_not_counted(tmp_path):
    _config(tmp_path, architectures=["Wav2Vec2ForPreTraining"])
    (tmp_path / "pytorch_model.bin").write_bytes(b"PK\x03\x04 not read")
    described = describe_start_model(str(tmp_path))
    assert described.endswith("Wav2Vec2ForPreTraining, parameters unknown (pytorch_model.bin)")


def test_hub_ids_and_folders_not_yet_written_are_said_as_such(tmp_path):
    assert "a hub id, resolved" in describe_start_model("facebook/wav2vec2-large-xlsr-53")
    assert "no such folder yet" in describe_start_model("../exp/synth/model")
    assert "no such folder yet" in describe_start_model(str(tmp_path / "missing"))


def test_header_is_read_by_the_spec(tmp_path):
    header = json.dumps({"__metadata__": {"format": "pt"},
                         "w": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]},
                         "s": {"dtype": "I64", "shape": [], "data_offsets": [48, 56]}}).encode()
    path = tmp_path / "x.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(56))
    assert safetensors_parameters(path) == 13


@pytest.mark.parametrize("content, message", [
    (b"\x01\x02", "too short"),
    (struct.pack("<Q", 1 << 40) + b"{}", "header length"),
    (struct.pack("<Q", 3) + b"{x}", "not JSON"),
    (struct.pack("<Q", 20) + b'{"w": {"shape": 3}} ', "no valid shape"),
])
def test_bad_safetensors_name_the_file(tmp_path, content, message):
    path = tmp_path / "model.safetensors"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        safetensors_parameters(path)
    assert str(path) in str(caught.value)


def test_a_folder_without_config_or_weights_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="config.json: not found"):
        describe_start_model(str(tmp_path))
    _config(tmp_path, model_type="wav2vec2")
    with pytest.raises(InputError, match="no model.safetensors"):
        describe_start_model(str(tmp_path))
