using CityNode.Host.SimulatedHal;
using CityNode.NanoTwin;
using Xunit;
using TwinFileStream = CityNode.NanoTwin.Clr.FileStream;
using TwinDirectory = CityNode.NanoTwin.Clr.Directory;

namespace CityNode.Tests.Storage;

/// <summary>The twin's littlefs against esp_littlefs's defaults and littlefs's own rules (TwinLittleFs cites them).</summary>
public class TwinLittleFsTests
{
    private static (TwinBoard Board, IDisposable Scope) Board()
    {
        var board = new TwinBoard(new VirtualClock(1_767_225_600));
        return (board, board.Enter());
    }

    private static void Write(string path, int length, byte fill = 0x5A)
    {
        using var f = new TwinFileStream(path, FileMode.Create, FileAccess.Write);
        f.Write(Enumerable.Repeat(fill, length).ToArray(), 0, length);
    }

    [Fact]
    public void Geometry_is_esp_littlefs_defaults_and_inline_max_is_512()
    {
        var g = new LittleFsGeometry();
        Assert.Equal((128, 128, 512, 512), (g.ReadSize, g.ProgSize, g.CacheSize, g.BlockCycles));
        Assert.Equal(512, g.InlineMax);   // min(cache 512, attr_max 1022, block/8 512)
        Assert.Equal(2048, g.SplitAbove); // min(block - 40, alignup(block/2, prog))
    }

    [Fact]
    public void A_512_byte_file_is_inline_and_a_513_byte_file_takes_a_block()
    {
        var (board, scope) = Board();
        using (scope)
        {
            Write("I:\\a", 512);
            Assert.Equal(0, board.Ledger.BlockErases);
            Write("I:\\b", 513);
            Assert.Equal(1, board.Ledger.BlockErases);
        }
    }

    [Fact]
    public void A_short_read_costs_the_cache_window_not_the_file()
    {
        var (board, scope) = Board();
        using (scope)
        {
            Write("I:\\big", 4096);
            long before = board.Ledger.BytesRead;
            using (var f = new TwinFileStream("I:\\big", FileMode.Open, FileAccess.Read))
            {
                var b = new byte[16];
                f.Read(b, 0, 16);
                f.Read(b, 0, 16); // inside the cached window
            }

            Assert.Equal(512, board.Ledger.BytesRead - before);
            before = board.Ledger.BytesRead;
            using (var f = new TwinFileStream("I:\\big", FileMode.Open, FileAccess.Read))
            {
                f.Read(new byte[4096], 0, 4096);
            }

            Assert.Equal(4096, board.Ledger.BytesRead - before);
        }
    }

    [Fact]
    public void A_directory_of_many_inline_files_splits_its_metadata_and_compactions_stay_small()
    {
        var (board, scope) = Board();
        using (scope)
        {
            TwinDirectory.CreateDirectory("I:\\d");
            for (int i = 0; i < 24; i++)
            {
                Write($"I:\\d\\f{i:00}", 500, (byte)i);
            }

            for (int round = 0; round < 5; round++)
            {
                for (int i = 0; i < 24; i++)
                {
                    Write($"I:\\d\\f{i:00}", 500, (byte)(i + round));
                }
            }

            Assert.True(board.Drive.MetadataPairs("I:\\d") >= 6, $"{board.Drive.MetadataPairs("I:\\d")} pairs for 12 KB of inline files");

            // A compaction writes at most about half a block, so the average commit stays far below a block rewrite.
            long erases = board.Ledger.BlockErases;
            long pages = board.Ledger.PagePrograms;
            for (int i = 0; i < 24; i++)
            {
                Write($"I:\\d\\f{i:00}", 500, 0x11);
            }

            double pagesPerErase = (double)(board.Ledger.PagePrograms - pages) / Math.Max(1, board.Ledger.BlockErases - erases);
            Assert.True(pagesPerErase <= 2048 / 256 + 3 * 3, $"{pagesPerErase:0.0} pages per compaction");
            Assert.All(Enumerable.Range(0, 24), i => Assert.Equal(0x11, board.Drive.Peek($"I:\\d\\f{i:00}")![0]));
        }
    }

    [Fact]
    public void A_power_cut_during_a_split_leaves_the_old_content()
    {
        for (int cut = 1; cut < 40; cut++)
        {
            var (board, scope) = Board();
            using (scope)
            {
                TwinDirectory.CreateDirectory("I:\\d");
                for (int i = 0; i < 8; i++)
                {
                    Write($"I:\\d\\f{i}", 500, 1);
                }

                board.ArmPowerCut(cut);
                try
                {
                    for (int i = 0; i < 8; i++)
                    {
                        Write($"I:\\d\\f{i}", 500, 2);
                    }
                }
                catch (CpuHaltedException)
                {
                }

                for (int i = 0; i < 8; i++)
                {
                    byte v = board.Drive.Peek($"I:\\d\\f{i}")![0];
                    Assert.True(v is 1 or 2);
                    Assert.Equal(500, board.Drive.Peek($"I:\\d\\f{i}")!.Length);
                }
            }
        }
    }
}
