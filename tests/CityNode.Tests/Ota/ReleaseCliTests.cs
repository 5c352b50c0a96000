using CityNode.Host.Ota;
using CityNode.Ota;
using CityNode.Tests.Cli;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>`citynode release`: packs a folder, refuses bad input with the value and the rule, never overwrites without --force.</summary>
[Collection("cli")]
public sealed class ReleaseCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-release-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Build(params (string Name, int Size)[] files)
    {
        string from = Path.Combine(_dir, "build");
        Directory.CreateDirectory(from);
        var rnd = new Random(3);
        foreach (var (name, size) in files)
        {
            var b = new byte[size];
            rnd.NextBytes(b);
            File.WriteAllBytes(Path.Combine(from, name), b);
        }

        return from;
    }

    [Fact]
    public async Task Packs_a_folder_that_reads_back_and_signs_with_a_key()
    {
        string from = Build(("CityNode.App.pe", 10_000), ("CityNode.Core.pe", 5000));
        string key = Path.Combine(_dir, "node.key");
        byte[] k = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllText(key, Convert.ToHexString(k) + "\n");
        string output = Path.Combine(_dir, "r.release");
        var (exit, stdout, err) = await CliRunner.Run("release", "--from", from, "--version", "1.4.0", "--counter", "12", "--out", output, "--key", key);
        Assert.True(exit == 0, err);
        Assert.Contains("release 1.4.0 counter 12: 2 files, 15,000 bytes, 5 chunks", stdout);

        var r = Release.Read(output);
        Assert.Equal(12u, r.Counter);
        Assert.Equal(File.ReadAllBytes(Path.Combine(from, "CityNode.Core.pe")), r.Files[1].Bytes);
        var m = OtaManifest.Parse(r.Template, r.Template.Length);
        Assert.Equal(OtaManifest.TargetAny, m.TargetKind);
        Assert.True(m.SignedWith(new HmacSha256(k), new byte[32]));

        // Not overwritten without --force.
        (exit, _, err) = await CliRunner.Run("release", "--from", from, "--version", "1.4.1", "--counter", "13", "--out", output);
        Assert.Equal(1, exit);
        Assert.Contains("the file exists; add --force", err);
        Assert.Equal(12u, Release.Read(output).Counter);
        (exit, _, err) = await CliRunner.Run("release", "--from", from, "--version", "1.4.1", "--counter", "13", "--out", output, "--force");
        Assert.True(exit == 0, err);
        var unsigned = Release.Read(output);
        Assert.Equal(13u, unsigned.Counter);
        Assert.False(unsigned.IsSigned);
    }

    [Theory]
    [InlineData("--version", "1.4", "--version '1.4': major.minor.patch")]
    [InlineData("--counter", "0", "--counter 0: the cable-installed image has counter 0")]
    [InlineData("--counter", "-3", "--counter '-3': a number from 1 to 4294967295")]
    [InlineData("--from", "/nonexistent/citynode", "--from /nonexistent/citynode: no such folder")]
    public async Task Bad_values_are_user_errors_naming_the_value(string option, string value, string message)
    {
        string from = Build(("App.pe", 100));
        var args = new Dictionary<string, string> { ["--from"] = from, ["--version"] = "1.0.0", ["--counter"] = "1", ["--out"] = Path.Combine(_dir, "x.release") };
        args[option] = value;
        var (exit, _, err) = await CliRunner.Run(["release", .. args.SelectMany(a => new[] { a.Key, a.Value })]);
        Assert.Equal(1, exit);
        Assert.Contains(message, err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(Path.Combine(_dir, "x.release")));
    }

    [Fact]
    public async Task A_bad_file_name_a_too_big_build_or_a_bad_key_is_refused()
    {
        string from = Build(("App pe", 100));
        var (exit, _, err) = await CliRunner.Run("release", "--from", from, "--version", "1.0.0", "--counter", "1", "--out", Path.Combine(_dir, "a.release"));
        Assert.Equal(1, exit);
        Assert.Contains("file name 'App pe'", err);

        File.Delete(Path.Combine(from, "App pe"));
        File.WriteAllBytes(Path.Combine(from, "Big.pe"), new byte[(OtaManifest.MaxChunks * Release.ChunkSize) + 1]);
        (exit, _, err) = await CliRunner.Run("release", "--from", from, "--version", "1.0.0", "--counter", "1", "--out", Path.Combine(_dir, "a.release"));
        Assert.Equal(1, exit);
        Assert.Contains("a slot holds 64 chunks (256 KB)", err);

        File.WriteAllBytes(Path.Combine(from, "Big.pe"), new byte[10]);
        string key = Path.Combine(_dir, "bad.key");
        File.WriteAllText(key, "not-a-key");
        (exit, _, err) = await CliRunner.Run("release", "--from", from, "--version", "1.0.0", "--counter", "1", "--out", Path.Combine(_dir, "a.release"), "--key", key);
        Assert.Equal(1, exit);
        Assert.Contains("an OTA key is 64 hex digits", err);
    }

    [Fact]
    public void A_damaged_release_file_is_refused_on_reading()
    {
        var r = OtaRig.MakeRelease(3);
        string path = Path.Combine(_dir, "d.release");
        byte[] file = r.ToFile();
        file[^5] ^= 0x40;
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<ReleaseException>(() => Release.Read(path));
        Assert.Contains("does not match its SHA-256", e.Message);
    }
}
