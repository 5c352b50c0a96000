using CityNode.Host.Ota;
using CityNode.Host.Simulation;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>
/// What one boot of the loader image (firmware/CityNode.Loader, run on a twin board by
/// <see cref="LoaderBootCost"/>) costs, where it needs no timing: the application is read from flash
/// once, only the sectors the slot's manifest names are opened, a confirmed release's boot writes
/// nothing, and the heap holds one .pe array plus a few KB. The figures: `ota-cost` (tests/CityNode.Benchmarks).
/// </summary>
public sealed class LoaderCostTests
{
    private const int Pe = DeviceNode.ApplicationPeBytes;

    // A slot sector holds one 4 KB chunk (docs/ota.md, flash layout).
    private const int Chunks = (Pe + 4095) / 4096;

    // Besides the .pe array: the drive's sector buffer (4 KB), a manifest buffer (3.3 KB), names and objects.
    private const int HeapBound = 16 * 1024;

    [Fact]
    public void The_cable_application_is_read_once_from_its_two_files()
    {
        var boot = LoaderBootCost.Measure(LoaderBootCost.Cable);
        Assert.True(boot.Loaded);
        Assert.Equal(DeviceNode.CableVersion, boot.LoadedVersion);
        Assert.Equal(2, boot.Opens); // app\files, then CityNode.Esp32.pe; no boot record at counter 0
        Assert.Equal(0, boot.Commits);
        Assert.InRange(boot.BytesRead, Pe, Pe + 1024);
        Assert.Equal(Pe, boot.PeBytes);
        Assert.InRange(boot.HeapBytes, 0, HeapBound);
    }

    [Fact]
    public void A_confirmed_release_opens_its_chunks_the_record_and_the_manifest_once_and_writes_nothing()
    {
        // Slot B also holds 6 sectors of an older, larger release: the manifest's chunks are read, not the slot.
        var boot = LoaderBootCost.Measure(LoaderBootCost.Confirmed, staleSlotSectors: 6);
        Assert.True(boot.Loaded);
        Assert.Equal("1.1.0", boot.LoadedVersion);
        Assert.Equal(Chunks, boot.Chunks);
        Assert.Equal(Chunks + 2 + 1, boot.Opens); // chunks + the record's two sectors + the installed manifest
        Assert.Equal(0, boot.Commits);
        Assert.Equal(0, boot.Erases);
        Assert.InRange(boot.BytesRead, Pe, Pe + (2 * 4096));
        Assert.Equal(Pe, boot.PeBytes);
        Assert.InRange(boot.HeapBytes, 0, HeapBound);
    }

    [Fact]
    public void A_trial_boot_writes_the_record_once()
    {
        var boot = LoaderBootCost.Measure(LoaderBootCost.Trial);
        Assert.True(boot.Loaded);
        Assert.Equal(2, boot.Commits); // the record's sector file erased, then programmed (SectorFileFlash: one file write each)
        Assert.Equal(0, boot.Erases); // a 40 B record stays an inline littlefs file: no block erase
        Assert.InRange(boot.BytesRead, Pe, Pe + (2 * 4096));
        Assert.Equal(Pe, boot.PeBytes);
        Assert.InRange(boot.HeapBytes, 0, HeapBound);
    }
}
