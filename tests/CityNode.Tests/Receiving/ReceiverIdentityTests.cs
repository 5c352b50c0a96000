using CityNode.Host.Receiving;
using Xunit;

namespace CityNode.Tests.Receiving;

/// <summary>Default client ids: unique among running receivers, the same again for a restarted one (issue 14, item 3).</summary>
public sealed class ReceiverIdentityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-ids-").FullName;

    [Fact]
    public void Receivers_running_together_get_their_own_id_and_a_restart_gets_the_freed_one_again()
    {
        using var first = ReceiverIdentity.Claim("city", _dir, "host1");
        var second = ReceiverIdentity.Claim("city", _dir, "host1");
        using var other = ReceiverIdentity.Claim(null, _dir, "host1");

        Assert.Equal("citynode-receiver-host1-city", first.ClientId);
        Assert.Equal("citynode-receiver-host1-city-2", second.ClientId);
        Assert.Equal("citynode-receiver-host1-all", other.ClientId);

        second.Dispose(); // the second receiver stops (or dies: the OS drops its lock the same way)
        using var restarted = ReceiverIdentity.Claim("city", _dir, "host1");
        Assert.Equal("citynode-receiver-host1-city-2", restarted.ClientId);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
