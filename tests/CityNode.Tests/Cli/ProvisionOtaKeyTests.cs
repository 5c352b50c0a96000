using System.Text.Json;
using CityNode.Host.Ota;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary>provision and the node's OTA key (issue 16): written into the node's files and the backend's folder, the same key, never printed, kept when the node is provisioned again.</summary>
[Collection("cli")]
public sealed class ProvisionOtaKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-provision-ota-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Keys => Path.Combine(_dir, "ota-keys");

    private Task<(int Exit, string Out, string Err)> Provision(string node, params string[] more) =>
        CliRunner.Run(["provision", "--board", "reference", "--node-id", node, "--ota-keys", Keys, .. more]);

    [Fact]
    public async Task Out_writes_the_nodes_key_and_the_backends_copy_the_same_key_and_never_prints_it()
    {
        string outDir = Path.Combine(_dir, "n9");
        var (exit, stdout, err) = await Provision("9", "--out", outDir);
        Assert.True(exit == 0, err);

        // The node's copy: 64 hex digits on one line (NodeStart.ReadOtaKey parses it).
        string nodeText = File.ReadAllText(Path.Combine(outDir, "ota.key"));
        Assert.Matches("^[0-9a-f]{64}\n$", nodeText);
        byte[] onNode = Convert.FromHexString(nodeText.Trim());
        string backendFile = Path.Combine(Keys, "9.key");
        Assert.Equal(onNode, Release.ReadKey(backendFile)); // the format `release --key` and `ota --keys` read
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(outDir, "ota.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backendFile));
        }

        string hex = Convert.ToHexString(onNode);
        Assert.DoesNotContain(hex, stdout + err, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(backendFile, stdout);

        using var deploy = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "deploy.json")));
        var keyEntry = deploy.RootElement.GetProperty("Files").EnumerateArray().Single(f => f.GetProperty("DestinationFilePath").GetString() == "I:\\ota.key");
        Assert.Equal(nodeText, File.ReadAllText(keyEntry.GetProperty("SourceFilePath").GetString()!));

        // Two nodes never share a key.
        var (exit2, _, err2) = await Provision("10", "--out", Path.Combine(_dir, "n10"));
        Assert.True(exit2 == 0, err2);
        Assert.NotEqual(nodeText, File.ReadAllText(Path.Combine(_dir, "n10", "ota.key")));
    }

    [Fact]
    public async Task Provisioning_a_node_again_keeps_the_key_the_backend_holds()
    {
        var (e1, _, err1) = await Provision("9", "--out", Path.Combine(_dir, "first"));
        Assert.True(e1 == 0, err1);
        byte[] backend = Release.ReadKey(Path.Combine(Keys, "9.key"));

        var (e2, stdout, err2) = await Provision("9", "--out", Path.Combine(_dir, "again"));
        Assert.True(e2 == 0, err2);
        Assert.Contains("kept", stdout);
        Assert.Equal(backend, Release.ReadKey(Path.Combine(_dir, "again", "ota.key")));
        Assert.Equal(backend, Release.ReadKey(Path.Combine(Keys, "9.key")));
    }

    [Fact]
    public async Task A_damaged_backend_key_is_refused_naming_the_file_not_replaced()
    {
        Directory.CreateDirectory(Keys);
        File.WriteAllText(Path.Combine(Keys, "9.key"), "not a key\n");
        var (exit, _, err) = await Provision("9", "--out", Path.Combine(_dir, "n9"));
        Assert.Equal(1, exit);
        Assert.Contains($"{Path.Combine(Keys, "9.key")} is not an OTA key", err);
        Assert.Equal("not a key\n", File.ReadAllText(Path.Combine(Keys, "9.key")));
    }

    [Fact]
    public async Task Printing_without_out_makes_no_key_and_says_where_it_comes_from()
    {
        var (exit, stdout, err) = await Provision("9");
        Assert.True(exit == 0, err);
        Assert.False(Directory.Exists(Keys));
        Assert.DoesNotContain("I:\\\\ota.key", stdout); // not in the printed deploy.json
        Assert.Contains("ota.key) is never printed: --out DIR writes it", stdout);
    }

    [Fact]
    public async Task The_acl_lines_cover_the_ota_topics()
    {
        var (exit, stdout, err) = await Provision("9");
        Assert.True(exit == 0, err);
        Assert.Contains("user node-9\ntopic write citynode/9/up\ntopic read citynode/9/config\ntopic read citynode/9/ack\ntopic read citynode/9/ota\ntopic read citynode/ota/#\ntopic write citynode/9/ota/state\n", stdout);
        Assert.Contains("user citynode-backend\ntopic readwrite citynode/+/ota\ntopic readwrite citynode/ota/#\ntopic read citynode/+/ota/state\n", stdout);
    }
}
