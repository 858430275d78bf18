"""Readers: long tables and wide matrices from CSV and Parquet."""

from __future__ import annotations

import pandas as pd
import pytest

from regionalize import InvalidODError, read_flows, read_matrix
from regionalize.errors import DataNotFoundError


def test_semicolon_csv_keeps_leading_zeros(tmp_path):
    path = tmp_path / "od.csv"
    path.write_text("home;work;n\n01001;01001;5\n01001;06037;3\n06037;06037;7\n")
    g = read_flows(path, "home", "work", "n")
    assert list(g.ids) == ["01001", "06037"]
    assert g.total == 15
    assert g.meta["source"] == str(path)


def test_ids_from_several_columns(tmp_path):
    # state + county codes, published in two columns, make one county id
    path = tmp_path / "od.csv"
    path.write_text("hs,hc,ws,wc,flow\n01,001,01,001,10\n01,001,06,037,2\n06,037,06,037,8\n")
    g = read_flows(path, ["hs", "hc"], ["ws", "wc"], "flow")
    assert list(g.ids) == ["01001", "06037"]


def test_parquet_round_trip(tmp_path):
    df = pd.DataFrame(
        {"origin": ["a", "a", "b"], "destination": ["a", "b", "b"], "flow": [1.0, 2.0, 3.0]}
    )
    path = tmp_path / "od.parquet"
    df.to_parquet(path)
    assert read_flows(path).equals(read_flows(df))


def test_encoding_error_names_the_way_out(tmp_path):
    path = tmp_path / "od.csv"
    path.write_bytes("origin,destination,flow\nAlà,Alà,3\n".encode("latin1"))
    with pytest.raises(InvalidODError, match="pass encoding="):
        read_flows(path)
    assert list(read_flows(path, encoding="latin1").ids) == ["Alà"]


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(DataNotFoundError, match="No such file"):
        read_flows(tmp_path / "nope.csv")
    path = tmp_path / "od.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(InvalidODError, match="missing columns 'origin', 'destination', 'flow'"):
        read_flows(path)
    (tmp_path / "od.xlsx2").write_text("x")
    with pytest.raises(InvalidODError, match="Cannot tell the format"):
        read_flows(tmp_path / "od.xlsx2")


def test_wide_matrix_with_labels(tmp_path):
    path = tmp_path / "m.csv"
    # columns in another order than rows; a name column
    path.write_text("code,name,02,01\n01,One,3,10\n02,Two,20,4\n")
    g = read_matrix(path, id_column="code", label_columns=["name"])
    assert list(g.ids) == ["01", "02"]
    assert g.matrix.toarray().tolist() == [[10, 3], [4, 20]]
    assert g.zones["name"].tolist() == ["One", "Two"]
