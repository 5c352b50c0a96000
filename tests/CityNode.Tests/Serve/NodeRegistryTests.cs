using CityNode.Host.Provisioning;
using CityNode.Tests.Cli;
using Xunit;

namespace CityNode.Tests.Serve;

/// <summary>The node registry (names and places for serve) and how provision and configure keep it.</summary>
[Collection("cli")]
public sealed class NodeRegistryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citynode-reg-" + Guid.NewGuid().ToString("N")[..8]);

    public NodeRegistryTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Entries_are_read_back_and_other_lines_kept()
    {
        var reg = NodeRegistry.Parse("# the city's nodes\nsite.licence = CC BY 4.0\nnode.7.name = Bridge Street\n");
        reg.Set(7, null, NodeLocation.Parse("57.1497,-2.0943,Bridge St, lamp post 12"));
        reg.Set(8, "Harbour", null);
        reg.Set(7, "Bridge Street north", null);
        var again = NodeRegistry.Parse(reg.ToString());
        var e = again.Entries();
        Assert.Equal("Bridge Street north", e[7].Name);
        Assert.Equal(new NodeLocation(57.1497, -2.0943, "Bridge St, lamp post 12"), e[7].Location);
        Assert.Equal("Harbour", e[8].Name);
        Assert.Null(e[8].Location);
        Assert.Equal("CC BY 4.0", again.Site("licence"));
        Assert.StartsWith("# the city's nodes\n", again.ToString());
        Assert.Single(again.ToString().Split('\n'), l => l.StartsWith("node.7.name", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("node.x.name = A", "line 1: 'node.x.name'")]
    [InlineData("node.0.name = A", "ID a number from 1 to 4294967295")]
    [InlineData("node.3.colour = red", "only .name and .location")]
    [InlineData("node.3.location = 157.2,57.1", "latitude must be within -90..90")]
    [InlineData("node.3.location = 57.15", "give LATITUDE,LONGITUDE")]
    [InlineData("\n\nnode.3.location = 57,2,3,4,x\nnode.3.location = abc,1", "line 4: node.3.location 'abc,1'")]
    public void Bad_lines_are_refused_with_their_line(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => NodeRegistry.Parse(text, "nodes.conf"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task Provision_writes_the_name_and_location_and_configure_changes_them_without_a_broker()
    {
        string reg = Path.Combine(_dir, "nodes.conf");
        var (exit, _, err) = await CliRunner.Run("provision", "--board", "reference", "--node-id", "12", "--out", Path.Combine(_dir, "n12"),
            "--name", "Harbour gate", "--location", "57.14,-2.08,Harbour gate post 3", "--registry", reg);
        Assert.True(exit == 0, err);
        var e = NodeRegistry.Load(reg).Entries()[12];
        Assert.Equal("Harbour gate", e.Name);
        Assert.Equal(new NodeLocation(57.14, -2.08, "Harbour gate post 3"), e.Location);

        (exit, _, err) = await CliRunner.Run("configure", "--node", "12", "--location", "57.145,-2.081", "--registry", reg);
        Assert.True(exit == 0, err);
        e = NodeRegistry.Load(reg).Entries()[12];
        Assert.Equal("Harbour gate", e.Name);
        Assert.Equal(new NodeLocation(57.145, -2.081, null), e.Location);
    }

    [Fact]
    public async Task A_bad_location_changes_nothing()
    {
        string reg = Path.Combine(_dir, "nodes.conf");
        var (exit, _, err) = await CliRunner.Run("provision", "--board", "reference", "--node-id", "13", "--out", Path.Combine(_dir, "n13"), "--location", "north of the bridge", "--registry", reg);
        Assert.Equal(1, exit);
        Assert.Contains("--location 'north of the bridge': give LATITUDE,LONGITUDE", err);
        Assert.False(File.Exists(reg));
        Assert.False(Directory.Exists(Path.Combine(_dir, "n13")));

        (exit, _, err) = await CliRunner.Run("configure", "--node", "13", "--location", "91,0", "--registry", reg);
        Assert.Equal(1, exit);
        Assert.Contains("latitude must be within -90..90", err);
        Assert.False(File.Exists(reg));

        (exit, _, err) = await CliRunner.Run("configure", "--node", "13", "sample=60s");
        Assert.Equal(1, exit);
        Assert.Contains("--broker", err);
    }
}
