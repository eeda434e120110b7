"""Window math and split assignment (pure functions, no I/O)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from satseg_engine.geo import splits
from satseg_engine.geo.tiling import Cell, PixelArea, axis_offsets, grow_area, lattice


@pytest.mark.parametrize(("start", "stop", "size", "stride", "edges", "expected"), [
    (0, 256, 256, 256, True, [0]),
    (0, 255, 256, 256, True, []),                  # smaller than one cell
    (0, 600, 256, 256, False, [0, 256]),           # remainder dropped
    (0, 600, 256, 256, True, [0, 256, 344]),       # remainder covered by a flush edge cell
    (0, 512, 256, 192, True, [0, 192, 256]),       # overlap 64
    (10, 300, 100, 100, True, [10, 110, 200]),     # lattice anchored at the area's start
    (0, 300, 100, 100, True, [0, 100, 200]),       # exact fit: no extra cell
])
def test_axis_offsets(start, stop, size, stride, edges, expected):
    assert axis_offsets(start, stop, size, stride, edges) == expected


@pytest.mark.parametrize(("height", "width", "size", "overlap"), [
    (131, 257, 64, 0), (300, 301, 100, 20), (64, 64, 64, 0), (1000, 77, 32, 31)])
def test_lattice_covers_area_with_whole_cells(height, width, size, overlap):
    area = PixelArea(0, 0, height, width)
    cells = lattice(area, size, size - overlap)
    covered = np.zeros((height, width), dtype=bool)
    for cell in cells:
        assert isinstance(cell.row_off, int) and isinstance(cell.col_off, int)
        assert cell.size == size and cell.row_end <= height and cell.col_end <= width
        covered[cell.row_off:cell.row_end, cell.col_off:cell.col_end] = True
    assert covered.all()


def test_grow_area_keeps_cells_inside_raster():
    grown = grow_area(PixelArea(95, 95, 100, 100), 32, 100, 100)
    assert (grown.height, grown.width) == (32, 32) and grown.row1 == 100 and grown.col1 == 100


@pytest.mark.parametrize(("a", "b", "touch"), [
    (Cell(0, 0, 10), Cell(0, 10, 10), True),    # shared edge
    (Cell(0, 0, 10), Cell(10, 10, 10), True),   # shared corner
    (Cell(0, 0, 10), Cell(5, 5, 10), True),     # overlap
    (Cell(0, 0, 10), Cell(0, 11, 10), False),   # one pixel apart
    (Cell(0, 0, 10), Cell(11, 11, 10), False),
])
def test_touches(a, b, touch):
    assert a.touches(b) is touch and b.touches(a) is touch


def boxes(cells):
    return [shapely.box(c.col_off, c.row_off, c.col_end, c.row_end) for c in cells]


# min_train: the buffer costs the ring of train cells along each held-out block (measured on
# large grids: block_size 1 keeps ~4 % train, 2 ~26 %, 4 ~48 %, 8 ~59 % at ratios 0.7/0.15/0.15)
@pytest.mark.parametrize(("size", "overlap", "block_size", "seed", "min_train"), [
    (10, 0, 2, 0, 0.1), (10, 0, 3, 1, 0.2), (10, 4, 2, 2, 0.05), (16, 0, 1, 3, 0.0),
    (5, 0, 4, 4, 0.35), (5, 2, 6, 5, 0.35)])
def test_blocks_never_let_train_touch_test(size, overlap, block_size, seed, min_train):
    cells = lattice(PixelArea(0, 0, 237, 251), size, size - overlap)
    names = splits.assign("blocks", cells, (0.6, 0.2, 0.2), seed, origin=(0, 0),
                          stride=size - overlap, block_size=block_size)
    train = shapely.union_all(boxes([c for c, s in zip(cells, names, strict=True)
                                     if s == "train"]))
    for split in ("test", "validation"):
        held = [c for c, s in zip(cells, names, strict=True) if s == split]
        assert held, f"no {split} cells"
        assert not any(train.intersects(b) for b in boxes(held))  # no edge, corner or overlap
    assert names.count("train") > max(min_train * len(cells), 0)


def test_blocks_assign_whole_blocks():
    cells = lattice(PixelArea(0, 0, 80, 80), 10, 10)
    names = splits.assign_blocks(cells, (0.5, 0.25, 0.25), 7, origin=(0, 0), stride=10,
                                 block_size=4)
    for block_r in (0, 1):
        for block_c in (0, 1):
            members = {names[i] for i, c in enumerate(cells)
                       if c.row_off // 40 == block_r and c.col_off // 40 == block_c}
            assert len(members - {""}) == 1  # one split per block (plus buffer cells)


def test_random_split_reproducible_and_close_to_ratios():
    cells = lattice(PixelArea(0, 0, 500, 400), 10, 10)  # 2000 cells
    a = splits.assign("random", cells, (0.7, 0.2, 0.1), 5)
    assert a == splits.assign("random", cells, (0.7, 0.2, 0.1), 5)
    assert a != splits.assign("random", cells, (0.7, 0.2, 0.1), 6)
    assert [a.count(s) for s in splits.SPLITS] == [1400, 400, 200]


@pytest.mark.parametrize(("values", "expected"), [
    (["train", "VAL", None, "test", "Validation", ""],
     ["train", "validation", "", "test", "validation", ""])])
def test_attribute_values(values, expected):
    assert splits.normalise_attribute_values(values, "split") == expected


def test_attribute_values_refuse_unknown():
    with pytest.raises(splits.SatsegError) as info:
        splits.normalise_attribute_values(["train", "holdout"], "split")
    assert info.value.code == "bad_split_values" and "holdout" in info.value.message


def _held(names, class_counts, split):
    return {c for counts, n in zip(class_counts, names, strict=True) if n == split
            for c in counts}


def _rare_blocks(cells, blocks, side=20):
    """Class pixels per cell: 50 each of classes 1 and 2 everywhere, plus 10 of class 3 in the
    cells of the listed side×side-pixel blocks (row, column)."""
    return [{1: 50, 2: 50, 3: 10} if (c.row_off // side, c.col_off // side) in blocks
            else {1: 50, 2: 50} for c in cells]


# class 3 lies in 4 of the 100 blocks of 2×2 cells: a plain dealing leaves it out of a split
# for most seeds, a class-aware one finds a dealing with it in train, validation and test
@pytest.mark.parametrize("seed", range(6))
def test_class_aware_blocks_put_a_rare_class_in_every_split(seed):
    cells = lattice(PixelArea(0, 0, 200, 200), 10, 10)
    sets = _rare_blocks(cells, {(1, 1), (3, 7), (6, 2), (8, 8)})
    kwargs = {"origin": (0, 0), "stride": 10, "block_size": 2}
    aware = splits.assign("blocks", cells, (0.6, 0.2, 0.2), seed, class_counts=sets, **kwargs)
    assert all(3 in _held(aware, sets, split) for split in splits.SPLITS)
    plain = splits.assign("blocks", cells, (0.6, 0.2, 0.2), seed, **kwargs)
    # it may stray from the ratios, by at most a quarter of the plain dealing's balance
    assert splits.balance(aware, (0.6, 0.2, 0.2)) >= 0.75 * min(0.5, splits.balance(
        plain, (0.6, 0.2, 0.2)))


def test_a_plain_dealing_usually_misses_the_rare_class():
    """The case above is a real one: most of its seeds leave class 3 out of a split."""
    cells = lattice(PixelArea(0, 0, 200, 200), 10, 10)
    sets = _rare_blocks(cells, {(1, 1), (3, 7), (6, 2), (8, 8)})
    missed = [seed for seed in range(6) if splits.missing_classes(
        splits.assign("blocks", cells, (0.6, 0.2, 0.2), seed, origin=(0, 0), stride=10,
                      block_size=2), sets, (0.6, 0.2, 0.2))]
    assert len(missed) >= 4


@pytest.mark.parametrize("method", ["random", "blocks"])
def test_class_aware_keeps_a_dealing_that_already_covers_every_class(method):
    cells = lattice(PixelArea(0, 0, 200, 200), 10, 10)
    sets = [{1: 60, 2: 40}] * len(cells)  # every cell holds both classes
    kwargs = {"origin": (0, 0), "stride": 10, "block_size": 2}
    assert splits.assign(method, cells, (0.7, 0.2, 0.1), 4, class_counts=sets, **kwargs) \
        == splits.assign(method, cells, (0.7, 0.2, 0.1), 4, **kwargs)


def test_a_class_in_one_block_stays_in_train_and_is_reported_missing():
    cells = lattice(PixelArea(0, 0, 200, 200), 10, 10)
    sets = _rare_blocks(cells, {(4, 4)})
    names = splits.assign("blocks", cells, (0.6, 0.2, 0.2), 1, class_counts=sets,
                          origin=(0, 0), stride=10, block_size=2)
    assert 3 in _held(names, sets, "train")
    assert splits.missing_classes(names, sets, (0.6, 0.2, 0.2)) == {"validation": [3],
                                                                     "test": [3]}
    assert splits.missing_classes(names, sets, (0.8, 0.2, 0.0)) == {"validation": [3]}


# validation at ratio 0.2 holds a class with at least a quarter of its share: 5 % of its pixels
@pytest.mark.parametrize(("validation_pixels", "held"), [(0, False), (4, False), (5, True),
                                                          (30, True)])
def test_a_split_holds_a_class_with_a_quarter_of_its_share(validation_pixels, held):
    names = ["train", "validation", "test"]
    counts = [{1: 50, 2: 100 - validation_pixels}, {1: 50, 2: validation_pixels}, {1: 50}]
    assert (2 in splits.held_classes(names, counts, (0.6, 0.2, 0.2))["validation"]) == held
    assert splits.missing_classes(names, counts, (0.6, 0.2, 0.2)).get("test") == [2]
