using System.Security.Cryptography;
using System.Text;
using CityNode.Ota;
using CsCheck;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>The node's managed SHA-256 and HMAC-SHA256 against FIPS 180-4's examples and .NET's implementations.</summary>
public class Sha256Tests
{
    // FIPS 180-4 / NIST "SHA256.pdf" example values (and the one-million-'a' vector of FIPS 180-2 appendix B.3).
    [Theory]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    [InlineData("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")]
    public void Fips_examples(string message, string digest)
    {
        byte[] m = Encoding.ASCII.GetBytes(message);
        Assert.Equal(digest, Convert.ToHexStringLower(Sha256.Hash(m, 0, m.Length)));
    }

    [Fact]
    public void One_million_a_fed_in_odd_pieces()
    {
        var sha = new Sha256();
        byte[] a = Enumerable.Repeat((byte)'a', 1000).ToArray();
        int left = 1_000_000;
        int piece = 1;
        while (left > 0)
        {
            int n = Math.Min(Math.Min(piece, left), a.Length);
            sha.Update(a, 0, n);
            left -= n;
            piece = (piece * 7 % 997) + 1;
        }

        var d = new byte[32];
        sha.Final(d, 0);
        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Convert.ToHexStringLower(d));
    }

    [Fact]
    public void Random_messages_in_random_pieces_match_dotnet()
    {
        Gen.Select(Gen.Byte.Array[0, 700], Gen.Int[1, 130].Array[1, 12]).Sample((message, pieces) =>
        {
            var sha = new Sha256();
            sha.Update(new byte[] { 1, 2, 3 }, 0, 3); // a used instance: Reset must forget it
            sha.Reset();
            int at = 0;
            int p = 0;
            while (at < message.Length)
            {
                int n = Math.Min(pieces[p++ % pieces.Length], message.Length - at);
                sha.Update(message, at, n);
                at += n;
            }

            var d = new byte[40];
            sha.Final(d, 5);
            Assert.Equal(SHA256.HashData(message), d.AsSpan(5, 32).ToArray());
        }, iter: 400);
    }

    [Fact]
    public void Hmac_matches_dotnet_for_keys_up_to_a_block()
    {
        Gen.Select(Gen.Byte.Array[1, 64], Gen.Byte.Array[0, 300]).Sample((key, message) =>
        {
            var mac = new HmacSha256(key);
            mac.Update(message, 0, message.Length);
            var d = new byte[32];
            mac.Final(d, 0);
            Assert.Equal(HMACSHA256.HashData(key, message), d);

            // Reused after Reset, as the updater does for each manifest.
            mac.Reset();
            mac.Update(message, 0, message.Length);
            var again = new byte[32];
            mac.Final(again, 0);
            Assert.Equal(d, again);
        }, iter: 300);
    }

    [Fact]
    public void Rfc4231_case_2()
    {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        var mac = new HmacSha256(Encoding.ASCII.GetBytes("Jefe"));
        byte[] m = Encoding.ASCII.GetBytes("what do ya want for nothing?");
        mac.Update(m, 0, m.Length);
        var d = new byte[32];
        mac.Final(d, 0);
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(d));
    }
}

/// <summary>The one-shot adapter a native HMAC goes behind gives the managed HMAC's results, here with .NET's HMACSHA256 as the primitive.</summary>
public class OneShotHmacTests
{
    private sealed class DotnetHmac(byte[] key) : OneShotHmac
    {
        protected override byte[] Compute(byte[] message) => HMACSHA256.HashData(key, message);
    }

    [Fact]
    public void Signs_and_refuses_manifests_as_the_managed_hmac_does()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var r = OtaRig.MakeRelease(3);
        byte[] good = r.Manifest(OtaManifest.TargetAny, "", key);
        byte[] forged = r.Manifest(OtaManifest.TargetAny, "", RandomNumberGenerator.GetBytes(32));
        var scratch = new byte[32];
        foreach (IHash256 mac in new IHash256[] { new DotnetHmac(key), new HmacSha256(key) })
        {
            Assert.True(OtaManifest.Parse(good, good.Length).SignedWith(mac, scratch));
            Assert.False(OtaManifest.Parse(forged, forged.Length).SignedWith(mac, scratch));
        }
    }
}
