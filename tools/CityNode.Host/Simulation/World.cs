using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>All that a node's sensors are exposed to: one or more replayed recordings, by channel.</summary>
public sealed class World
{
    private readonly List<Surroundings> _environments = new();

    public World Add(Surroundings e)
    {
        _environments.Add(e);
        return this;
    }

    public IReadOnlyList<Surroundings> Environments => _environments;

    public Surroundings? For(int channelId) => _environments.FirstOrDefault(e => e.Provides(channelId));

    public bool Provides(int channelId) => For(channelId) is not null;

    /// <summary>The recorded value at the node's time, rounded to the channel's resolution.</summary>
    public double Value(int channelId, long unixSeconds, ChannelSpec spec) =>
        For(channelId)?.Value(channelId, unixSeconds, spec) ?? throw new KeyNotFoundException($"nothing feeds {Channels.Name(channelId)}");

    /// <summary>The recorded value as written, for quantities without a channel of their own.</summary>
    public double Raw(int channelId, long unixSeconds) =>
        For(channelId)?.Raw(channelId, unixSeconds) ?? throw new KeyNotFoundException($"nothing feeds {Channels.Name(channelId)}");
}
