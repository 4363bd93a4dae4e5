#!/usr/bin/env python3
"""Writes the CubeFormats test fixtures with the tools users have.

The SAME small cube (height 6, width 5, 16 channels, integer values 0..100 so that every
dtype holds it exactly, pixel (0, 0) all zero) is written as NumPy (numpy), ENVI
(spectral), FITS (astropy), HDF5 (h5py) and ripple RPL/RAW and HyperSpy .hspy (rosettasciio), plus variants:
every npy dtype, big-endian, Fortran order, header versions 2 and 3; ENVI bsq/bil/bip;
FITS uint16 (BZERO=32768), scaled int16 with BLANK, gzip, Rice tile-compressed,
EXTNAME, WAVE-LOG; HDF5 gzip chunks,
NeXus NXdata, channel-first, a user block, unallocated,
LZF (unreadable without h5py), a corrupted gzip chunk, gzip chunks channel-first, big-endian,
deflate-then-shuffle, with filters skipped per chunk, with an unallocated chunk, gzip with fletcher32
or float16 (left to libhdf5); RPL vector and image.

Usage (a throwaway environment; CI does not run this):
    python3 -m venv /tmp/fixenv
    /tmp/fixenv/bin/pip install numpy h5py astropy spectral rosettasciio
    /tmp/fixenv/bin/python scripts/make-fixtures.py Tests/CubeFormatsTests/Fixtures
"""
import os
import sys

import numpy as np

H, W, C = 6, 5, 16


def reference_cube():
    """(H, W, C) integers in 0..100; pixel (0, 0) is an empty (all-zero) spectrum."""
    y, x, c = np.meshgrid(np.arange(H), np.arange(W), np.arange(C), indexing="ij")
    cube = (7 * y + 3 * x + 5 * c + (y * x * c) % 11) % 101
    cube[0, 0, :] = 0
    return cube.astype(np.float64)


def write_npy(out, cube):
    import numpy.lib.format as fmt

    for code in ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]:
        data = (cube > 50) if code == "b1" else cube.astype(code)
        np.save(os.path.join(out, f"npy_{code}.npy"), data)
    for code in [">i2", ">u4", ">f4", ">f8", ">f2"]:
        np.save(os.path.join(out, f"npy_be_{code[1:]}.npy"), cube.astype(code))
    np.save(os.path.join(out, "npy_fortran.npy"), np.asfortranarray(cube.astype("<f4")))
    np.save(os.path.join(out, "npy_fortran_be_i2.npy"), np.asfortranarray(cube.astype(">i2")))
    for version in [(2, 0), (3, 0)]:
        with open(os.path.join(out, f"npy_v{version[0]}.npy"), "wb") as f:
            fmt.write_array(f, cube.astype("<f4"), version=version)
    np.save(os.path.join(out, "npy_chw.npy"), np.ascontiguousarray(cube.astype("<f4").transpose(2, 0, 1)))
    np.save(os.path.join(out, "npy_2d.npy"), cube[:, :, 0].astype("<f4"))
    np.save(os.path.join(out, "npy_c8.npy"), cube.astype("c8"))


def write_envi(out, cube):
    import spectral.io.envi as envi

    meta = {"wavelength": [str(400 + 10 * i) for i in range(C)], "wavelength units": "Nanometers"}
    for interleave in ["bsq", "bil", "bip"]:
        envi.save_image(os.path.join(out, f"envi_{interleave}.hdr"), cube.astype(np.float32), dtype=np.float32,
                        interleave=interleave, metadata=meta, force=True, ext=".img")
    envi.save_image(os.path.join(out, "envi_be_i2.hdr"), cube.astype(np.int16), dtype=np.int16, interleave="bil",
                    metadata=meta, force=True, byteorder=1, ext=".img")
    envi.save_image(os.path.join(out, "envi_u16.hdr"), cube.astype(np.uint16), dtype=np.uint16, interleave="bsq",
                    force=True, ext=".img")


def write_fits(out, cube):
    from astropy.io import fits

    planes = np.ascontiguousarray(cube.transpose(2, 0, 1))  # (C, H, W): NAXIS1 = x, NAXIS2 = y, NAXIS3 = channel

    def wcs(header, ctype="WAVE", crval=4000.0, cdelt=2.5, unit="Angstrom"):
        header["CTYPE3"], header["CRVAL3"], header["CDELT3"], header["CRPIX3"], header["CUNIT3"] = ctype, crval, cdelt, 1.0, unit

    hdu = fits.PrimaryHDU(planes.astype(np.float32))
    wcs(hdu.header)
    hdu.writeto(os.path.join(out, "fits_f4.fits"), overwrite=True)

    hdu = fits.PrimaryHDU(planes.astype(np.uint16))  # astropy stores uint16 as BITPIX 16 with BZERO 32768
    wcs(hdu.header)
    hdu.writeto(os.path.join(out, "fits_u16.fits"), overwrite=True)

    for bitpix_dtype in ["u1", "i2", "i4", "i8", "f8"]:
        fits.PrimaryHDU(planes.astype(bitpix_dtype)).writeto(os.path.join(out, f"fits_{bitpix_dtype}.fits"), overwrite=True)

    comp = fits.CompImageHDU(planes.astype(np.int32), compression_type="RICE_1", name="DATA")
    wcs(comp.header)
    fits.HDUList([fits.PrimaryHDU(), comp]).writeto(os.path.join(out, "fits_rice.fits"), overwrite=True)

    # Scaled int16 with null pixels: stored = (value - 10) / 0.5, BLANK at pixel (y 1, x 2), channel 3.
    # cfitsio must apply BSCALE/BZERO and turn BLANK into NaN.
    stored = ((planes - 10) * 2).astype(np.int16)
    stored[3, 1, 2] = -32768
    scaled = fits.PrimaryHDU(stored, do_not_scale_image_data=True)
    scaled.header["BSCALE"], scaled.header["BZERO"], scaled.header["BLANK"] = 0.5, 10.0, -32768
    scaled.writeto(os.path.join(out, "fits_scaled.fits"), overwrite=True)

    # A gzip-compressed file (cfitsio inflates it): must not be read as if it were plain.
    import gzip
    with open(os.path.join(out, "fits_f4.fits"), "rb") as plain, gzip.GzipFile(os.path.join(out, "fits_f4.fits.gz"), "wb", mtime=0) as z:
        z.write(plain.read())

    flux = fits.ImageHDU(planes.astype(np.float32), name="FLUX")
    wcs(flux.header, ctype="WAVE-LOG", crval=5000.0, cdelt=1.0)
    other = fits.ImageHDU(np.zeros((2, 3, 4), np.float32), name="VAR")
    fits.HDUList([fits.PrimaryHDU(), flux, other]).writeto(os.path.join(out, "fits_ext.fits"), overwrite=True)


def write_hdf5(out, cube):
    import h5py

    with h5py.File(os.path.join(out, "hdf5_gzip.h5"), "w") as f:
        f.create_dataset("data/cube", data=cube.astype(np.float32), chunks=(2, 5, 16), compression="gzip")
        f.create_dataset("data/mask", data=np.ones((H, W), np.uint8))
    with h5py.File(os.path.join(out, "hdf5_u16.h5"), "w") as f:
        f.create_dataset("cube", data=cube.astype(np.uint16), chunks=(3, 3, 8), compression="gzip", shuffle=True)
    with h5py.File(os.path.join(out, "hdf5_chw.h5"), "w") as f:
        f.create_dataset("cube", data=np.ascontiguousarray(cube.astype(">f8").transpose(2, 0, 1)))
    # A 512-byte user block before the HDF5 data (dataset addresses are relative to it), big-endian int16.
    with h5py.File(os.path.join(out, "hdf5_userblock.h5"), "w", userblock_size=512) as f:
        f.create_dataset("cube", data=cube.astype(">i2"))
    # A contiguous dataset never written: no storage allocated, HDF5 returns the fill value (0).
    with h5py.File(os.path.join(out, "hdf5_unallocated.h5"), "w") as f:
        f.create_dataset("cube", shape=(2, 3, 4), dtype=np.float32)
    # Compressed with h5py's own LZF filter, which plain libhdf5 does not have.
    with h5py.File(os.path.join(out, "hdf5_lzf.h5"), "w") as f:
        f.create_dataset("cube", data=cube.astype(np.float32), chunks=(3, 5, 16), compression="lzf")
    # A gzip chunk whose bytes were overwritten: opens, but reading fails in the inflate filter.
    path = os.path.join(out, "hdf5_corrupt.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("cube", data=cube.astype(np.float32), chunks=(3, 5, 16), compression="gzip")
        chunk = f["cube"].id.get_chunk_info(0)
    with open(path, "r+b") as raw:
        raw.seek(chunk.byte_offset)
        raw.write(bytes(range(7, 7 + min(chunk.size, 64))))
    with h5py.File(os.path.join(out, "hdf5_two.h5"), "w") as f:
        f.create_dataset("a", data=cube.astype(np.float32))
        f.create_dataset("b", data=cube.astype(np.float32))
    with h5py.File(os.path.join(out, "hdf5_nexus.h5"), "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = "counts"
        data.attrs["axes"] = ["y", "x", "energy"]
        data.create_dataset("counts", data=cube.astype(np.int32), chunks=(3, 5, 16), compression="gzip")
        data.create_dataset("y", data=np.arange(H) * 0.5)
        data.create_dataset("x", data=np.arange(W) * 0.5)
        energy = data.create_dataset("energy", data=0.5 + 0.02 * np.arange(C))
        energy.attrs["units"] = "keV"
        entry.create_dataset("decoy", data=np.zeros((2, 2, 2), np.float32))
    with h5py.File(os.path.join(out, "hdf5_nexus_cyx.h5"), "w") as f:  # channel-first, told by the axes' units
        data = f.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = "spectra"
        data.attrs["axes"] = ["energy", "y", "x"]
        data.create_dataset("spectra", data=np.ascontiguousarray(cube.astype(np.float32).transpose(2, 0, 1)))
        data.create_dataset("y", data=np.arange(H) * 0.5).attrs["units"] = "mm"
        data.create_dataset("x", data=np.arange(W) * 0.5).attrs["units"] = "mm"
        data.create_dataset("energy", data=100.0 + 10 * np.arange(C)).attrs["units"] = "eV"


def write_hdf5_chunks(out, cube):
    """gzip-chunked variants for CubeSeg's own chunk decoder (edge chunks in every dimension)."""
    import zlib

    import h5py

    # Channel-first (C, H, W) float32, gzip + shuffle, chunks cut every axis.
    with h5py.File(os.path.join(out, "hdf5_chunked_cyx.h5"), "w") as f:
        f.create_dataset("cube", data=np.ascontiguousarray(cube.astype(np.float32).transpose(2, 0, 1)),
                         chunks=(5, 4, 3), compression="gzip", shuffle=True)
    # Big-endian float64, gzip + shuffle, chunks cut every axis.
    with h5py.File(os.path.join(out, "hdf5_chunked_be.h5"), "w") as f:
        f.create_dataset("cube", data=cube.astype(">f8"), chunks=(4, 2, 5), compression="gzip", shuffle=True)
    # int16 with the pipeline in the other order: deflate first, then shuffle of the compressed bytes.
    with h5py.File(os.path.join(out, "hdf5_deflate_shuffle.h5"), "w") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_obj_track_times(False)  # as h5py's create_dataset: no timestamps, so the file is reproducible
        dcpl.set_chunk((4, 3, 16))
        dcpl.set_deflate(6)
        dcpl.set_shuffle()
        space = h5py.h5s.create_simple((H, W, C))
        dsid = h5py.h5d.create(f.id, b"cube", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
        h5py.Dataset(dsid)[...] = cube.astype("<i2")
    # float32 gzip + shuffle in three chunks of two rows: the chunk at row 2 stored without the
    # shuffle (filter mask 1), the one at row 4 without deflate (filter mask 2).
    with h5py.File(os.path.join(out, "hdf5_chunk_masks.h5"), "w") as f:
        d = f.create_dataset("cube", data=cube.astype(np.float32), chunks=(2, W, C), compression="gzip", shuffle=True)
        rows = cube.astype("<f4")
        d.id.write_direct_chunk((2, 0, 0), zlib.compress(rows[2:4].tobytes()), filter_mask=1)
        shuffled = rows[4:6].tobytes()
        shuffled = bytes(np.frombuffer(shuffled, np.uint8).reshape(-1, 4).T.tobytes())
        d.id.write_direct_chunk((4, 0, 0), shuffled, filter_mask=2)
    # float32 gzip, fill value -1.5, only rows 0..3 written: the chunk at row 4 has no storage.
    with h5py.File(os.path.join(out, "hdf5_partial.h5"), "w") as f:
        d = f.create_dataset("cube", shape=(H, W, C), dtype=np.float32, chunks=(2, W, C), compression="gzip",
                             fillvalue=-1.5)
        d[0:4] = cube[0:4].astype(np.float32)
    # Chunked datasets left to libhdf5: gzip + fletcher32 checksums, and gzip float16.
    with h5py.File(os.path.join(out, "hdf5_chunks_other.h5"), "w") as f:
        f.create_dataset("fletcher32", data=cube.astype(np.float32), chunks=(3, 5, 16), compression="gzip", fletcher32=True)
        f.create_dataset("float16", data=cube.astype(np.float16), chunks=(3, 5, 16), compression="gzip")


def write_rpl(out, cube):
    from rsciio.ripple import file_writer

    def axis(name, size, scale, offset, units, navigate):
        return {"name": name, "size": size, "scale": scale, "offset": offset, "units": units, "navigate": navigate}

    meta = {"General": {"title": "fixture", "date": "", "time": ""}, "Signal": {"signal_type": ""}}
    energy = axis("Energy", C, 10.0, -20.0, "eV", False)
    vector = {"data": cube.astype(np.uint16), "metadata": meta, "original_metadata": {},
              "axes": [axis("y", H, 1.0, 0.0, "um", True), axis("x", W, 1.0, 0.0, "um", True), energy]}
    file_writer(os.path.join(out, "rpl_vector.rpl"), vector)
    image = {"data": np.ascontiguousarray(cube.astype(np.float32).transpose(2, 0, 1)), "metadata": meta,
             "original_metadata": {},
             "axes": [dict(energy, navigate=True), axis("y", H, 1.0, 0.0, "um", False), axis("x", W, 1.0, 0.0, "um", False)]}
    file_writer(os.path.join(out, "rpl_image.rpl"), image)


def write_hspy(out, cube):
    """HyperSpy's own file (rosettasciio's hspy writer): an EDS-like Signal1D with two
    navigation axes, energy axis 0.1 keV + 0.02 keV * channel."""
    from rsciio.hspy import file_writer

    def axis(name, size, scale, offset, units, navigate):
        return {"name": name, "size": size, "scale": scale, "offset": offset, "units": units, "navigate": navigate}

    meta = {"General": {"title": "fixture", "date": "", "time": ""}, "Signal": {"signal_type": "EDS_SEM"}}
    signal = {"data": cube.astype(np.float32), "metadata": meta, "original_metadata": {}, "tmp_parameters": {}, "attributes": {"_lazy": False},
              "learning_results": {}, "models": {}, "package_info": {"package": "", "package_version": ""},
              "axes": [axis("y", H, 1.0, 0.0, "um", True), axis("x", W, 1.0, 0.0, "um", True),
                       axis("Energy", C, 0.02, 0.1, "keV", False)]}
    file_writer(os.path.join(out, "hyperspy.hspy"), signal)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/CubeFormatsTests/Fixtures"
    os.makedirs(out, exist_ok=True)
    cube = reference_cube()
    np.save(os.path.join(out, "reference.npy"), cube.astype("<f4"))
    write_npy(out, cube)
    write_envi(out, cube)
    write_fits(out, cube)
    write_hdf5(out, cube)
    write_hdf5_chunks(out, cube)
    write_rpl(out, cube)
    write_hspy(out, cube)


if __name__ == "__main__":
    main()
