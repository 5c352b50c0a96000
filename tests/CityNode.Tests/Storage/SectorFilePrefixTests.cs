using CityNode.Hal;
using CityNode.Storage;
using Xunit;

namespace CityNode.Tests.Storage;

/// <summary>Over ISectorFiles a sector is saved up to its last programmed byte and reads as erased after it (issue 20: small staging files stay littlefs inline files).</summary>
public class SectorFilePrefixTests
{
    private sealed class Files : ISectorFiles
    {
        public readonly Dictionary<int, byte[]> Saved = new();

        public int Load(int sector, byte[] into) => Load(sector, into, into.Length);

        public bool Save(int sector, byte[] from) => Save(sector, from, from.Length);

        public int Load(int sector, byte[] into, int count) => LoadPrefix(sector, into, count) < 0 ? -1 : 1;

        public int LoadPrefix(int sector, byte[] into, int count)
        {
            if (!Saved.TryGetValue(sector, out var d))
            {
                return 0;
            }

            Array.Copy(d, into, Math.Min(count, d.Length));
            return Math.Min(count, d.Length);
        }

        public bool Save(int sector, byte[] from, int count)
        {
            Saved[sector] = from.AsSpan(0, count).ToArray();
            return true;
        }
    }

    [Fact]
    public void A_sector_is_saved_up_to_its_last_programmed_byte_and_erased_after_it()
    {
        var files = new Files();
        var flash = new SectorFileFlash(files, 512, 4, new SectorBuffer(4096));
        Assert.Equal(FlashStatus.Ok, flash.Program(512 + 10, new byte[] { 1, 2, 3 }, 0, 3));
        Assert.Equal(13, files.Saved[1].Length);
        Assert.Equal(FlashStatus.Ok, flash.Program(512 + 40, new byte[] { 0x0F }, 0, 1));
        Assert.Equal(41, files.Saved[1].Length);

        // Read back through another instance (a new boot): loaded as 41 bytes + erased.
        var back = new byte[512];
        Assert.Equal(FlashStatus.Ok, new SectorFileFlash(files, 512, 4, new SectorBuffer(4096)).Read(512, back, 0, 512));
        Assert.Equal(new byte[] { 1, 2, 3 }, back[10..13]);
        Assert.Equal(0x0F, back[40]);
        Assert.All(back[41..], b => Assert.Equal(0xFF, b));
        Assert.All(back[..10], b => Assert.Equal(0xFF, b));

        // Programming only clears bits, also over a reloaded prefix; an erase saves an empty file.
        var reloaded = new SectorFileFlash(files, 512, 4, new SectorBuffer(4096));
        Assert.Equal(FlashStatus.Ok, reloaded.Program(512 + 100, new byte[] { 0xF0 }, 0, 1));
        Assert.Equal(101, files.Saved[1].Length);
        Assert.Equal(1, files.Saved[1][10]);
        Assert.Equal(FlashStatus.Ok, reloaded.Erase(1));
        Assert.Empty(files.Saved[1]);
    }
}
