using CityNode.Host.Ota;
using CityNode.Ota;
using CsCheck;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>The node's manifest parser: the host's manifests read back field by field; malformed input refused with the field named.</summary>
public class ManifestTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void A_host_manifest_reads_back_field_by_field()
    {
        var r = OtaRig.MakeRelease(42, "3.14.15", sizes: [5000, 1]);
        byte[] m = r.Manifest(OtaManifest.TargetGroup, "river-east", Key);
        var p = OtaManifest.Parse(m, m.Length);
        Assert.Equal(OtaVersion.Pack(3, 14, 15), p.Version);
        Assert.Equal("3.14.15", OtaVersion.Format(p.Version));
        Assert.Equal(42u, p.Counter);
        Assert.Equal(OtaVersion.Pack(1, 0, 0), p.MinLoader);
        Assert.Equal(OtaManifest.TargetGroup, p.TargetKind);
        Assert.Equal("river-east", p.Target);
        Assert.True(p.TargetIs("river-east"));
        Assert.False(p.TargetIs("river-eas"));
        Assert.Equal(4096, p.ChunkSize);
        Assert.Equal(2, p.FileCount);
        Assert.Equal("App0.pe", p.FileName(0));
        Assert.Equal(5000, p.FileSize(0));
        Assert.Equal(1, p.FileSize(1));
        Assert.Equal(3, p.ChunkCount);
        Assert.Equal(904, p.ChunkLength(1));
        Assert.Equal(1, p.ChunkLength(2));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(r.Files[1].Bytes), m.AsSpan(p.FileHashAt(1), 32).ToArray());
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(r.Files[0].Bytes.AsSpan(4096)), m.AsSpan(p.ChunkHashAt(1), 32).ToArray());
        Assert.True(p.SignedWith(new HmacSha256(Key), new byte[32]));
        Assert.False(p.SignedWith(new HmacSha256([9, 9, 9]), new byte[32]));
    }

    [Fact]
    public void Every_truncation_is_refused_with_a_field()
    {
        byte[] m = OtaRig.MakeRelease(2).Manifest(OtaManifest.TargetNode, "n1", Key);
        for (int n = 0; n < m.Length; n++)
        {
            var e = Assert.Throws<ManifestException>(() => OtaManifest.Parse(m, n));
            Assert.Contains("truncated", e.Message);
        }

        var extra = new byte[m.Length + 1];
        m.CopyTo(extra, 0);
        var trailing = Assert.Throws<ManifestException>(() => OtaManifest.Parse(extra, extra.Length));
        Assert.Equal(OtaManifest.FLength, trailing.Field);
        Assert.Equal("length: 1 bytes after the signature", trailing.Message);
    }

    [Theory]
    [InlineData(0, 0x00, OtaManifest.FMagic)]
    [InlineData(4, 2, OtaManifest.FFormat)]
    [InlineData(5, 7, OtaManifest.FSignatureAlgorithm)]
    [InlineData(18, 3, OtaManifest.FTargetKind)]
    [InlineData(19, 40, OtaManifest.FTarget)]
    [InlineData(20, (byte)'/', OtaManifest.FTarget)]
    public void A_bad_field_is_named(int offset, byte value, int field)
    {
        byte[] m = OtaRig.MakeRelease(2).Manifest(OtaManifest.TargetNode, "n1", Key);
        m[offset] = value;
        var e = Assert.Throws<ManifestException>(() => OtaManifest.Parse(m, m.Length));
        Assert.Equal(field, e.Field);
        Assert.StartsWith(OtaManifest.FieldOf(field) + ": ", e.Message);
    }

    [Fact]
    public void A_file_name_that_climbs_out_of_the_slot_is_refused()
    {
        byte[] m = OtaRig.MakeRelease(2, sizes: [10]).Manifest(OtaManifest.TargetAny, "", Key);
        int at = Array.IndexOf(m, (byte)'A'); // "App0.pe"
        "../x.pe"u8.CopyTo(m.AsSpan(at));
        var e = Assert.Throws<ManifestException>(() => OtaManifest.Parse(m, m.Length));
        Assert.Equal(OtaManifest.FFileName, e.Field);
    }

    [Fact]
    public void Random_corruption_parses_or_is_refused_never_throws_otherwise()
    {
        byte[] good = OtaRig.MakeRelease(2).Manifest(OtaManifest.TargetNode, "n1", Key);
        Gen.Select(Gen.Int[0, good.Length - 1].Array[1, 6], Gen.Byte.Array[6], Gen.Int[0, 40]).Sample((at, values, cut) =>
        {
            byte[] m = (byte[])good.Clone();
            for (int i = 0; i < at.Length; i++)
            {
                m[at[i]] = values[i];
            }

            int length = Math.Max(0, m.Length - cut);
            try
            {
                var p = OtaManifest.Parse(m, length);
                Assert.True(p.ChunkCount <= OtaManifest.MaxChunks && p.Length == length);
            }
            catch (ManifestException)
            {
            }
        }, iter: 3000);
    }

    [Fact]
    public void The_largest_manifest_fits_its_bound()
    {
        var files = Enumerable.Range(0, OtaManifest.MaxFiles)
            .Select(i => new ReleaseFile(new string((char)('a' + i), OtaManifest.MaxNameLength), new byte[i < 15 ? 4 * 4096 : 4096]))
            .ToList();
        var r = Release.Create(files, 1, 1, 1);
        byte[] m = r.Manifest(OtaManifest.TargetNode, new string('n', OtaManifest.MaxTargetLength), Key);
        Assert.Equal(OtaManifest.MaxChunks - 3, r.ChunkCount);
        Assert.True(m.Length <= OtaManifest.MaxLength);
        Assert.True(OtaManifest.MaxLength + 8 <= OtaUpdater.StateSectorSize);
        OtaManifest.Parse(m, m.Length);
    }
}
