from conftest import open_page

from core.data import y


def test_home_renders_truth_table_and_links():
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "XOR Lab"
    df = at.dataframe[0].value
    assert list(df["XOR"]) == [int(v) for v in y[:, 0]]
