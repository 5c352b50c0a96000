using CityNode.Testing.Servers;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>
/// On a fresh machine `dotnet test nf.sln` installs the servers it needs when it may, and says what to
/// run when it may not (issue 14, item 20). The decision is tested here; uninstalling mosquitto or
/// PostgreSQL to watch the install would pull them from under the other tests.
/// </summary>
public sealed class ServerInstallTests
{
    [Fact]
    public void As_root_with_apt_get_a_missing_server_is_installed_and_said_so()
    {
        bool askedSudo = false;
        var plan = ServerInstall.Plan("mosquitto", "'mosquitto'", isRoot: true, hasAptGet: true, () => askedSudo = true);

        Assert.False(askedSudo);
        Assert.Equal(2, plan.Commands.Count);
        Assert.Equal("env", plan.Commands[1].File);
        Assert.Equal(["DEBIAN_FRONTEND=noninteractive", "apt-get"], plan.Commands[1].Args[..2]);
        Assert.Contains("update", plan.Commands[0].Args);
        Assert.Equal(["install", "-y"], plan.Commands[1].Args.SkipWhile(a => a != "install").Take(2));
        Assert.Equal("mosquitto", plan.Commands[1].Args[^1]);
        Assert.Contains("installing the Debian package 'mosquitto' with apt-get", plan.Message);
    }

    [Fact]
    public void Without_root_sudo_without_a_password_installs_and_otherwise_the_failure_says_what_to_run()
    {
        var sudo = ServerInstall.Plan("postgresql", "the PostgreSQL server", isRoot: false, hasAptGet: true, () => true);
        Assert.Equal(["sudo", "-n"], sudo.Commands.Select(c => c.File).Distinct().Concat(sudo.Commands[0].Args.Take(1)));
        Assert.Contains("(sudo)", sudo.Message);

        var refused = ServerInstall.Plan("postgresql", "the PostgreSQL server", isRoot: false, hasAptGet: true, () => false);
        Assert.Empty(refused.Commands);
        Assert.Contains("run `sudo apt-get install -y postgresql`", refused.Message);

        var noApt = ServerInstall.Plan("mosquitto", "'mosquitto'", isRoot: true, hasAptGet: false, () => true);
        Assert.Empty(noApt.Commands);
        Assert.Contains("install the 'mosquitto' package", noApt.Message);
    }

    [Fact]
    public void A_server_that_is_installed_is_found_without_installing_anything()
    {
        // This machine has both (the integration tests use them); finding them must not run apt-get.
        Assert.True(File.Exists(ServerBinaries.Find("mosquitto", "mosquitto", "/usr/sbin/mosquitto")));
        Assert.True(File.Exists(Path.Combine(ServerBinaries.PostgresBin(), "initdb")));
    }
}
