using CityNode.Config;
using CityNode.Hal;
using CityNode.Power;
using CityNode.Sensors;

namespace CityNode.Node
{
    /// <summary>
    /// What a platform gives <see cref="NodeAssembly"/> besides flash: the clock, the board and its
    /// currents, which outlive a reset, and the sensors and uplink, which a reset builds anew. The
    /// ESP32 program (NodeStart) and each host harness implement it; nothing else differs.
    /// </summary>
    public interface INodeParts
    {
        IClock Clock { get; }

        INodePlatform Platform { get; }

        PowerProfile Power { get; }

        /// <summary>The sampler over the drivers <paramref name="config"/> names (throws ConfigException for a sensor line it cannot build).</summary>
        Sampler CreateSampler(NodeConfig config);

        /// <summary>The uplink of a boot (a reset ends the previous one's connection).</summary>
        IUplink CreateUplink(NodeConfig config);

        /// <summary>
        /// The chip was reset and its program starts again after <paramref name="bootMs"/> of CLR boot:
        /// the platform reports <paramref name="cause"/> from now on. On the device a reset never returns
        /// to the old program; a host moves its clock over the boot and drops what RAM held (connections).
        /// </summary>
        void Reset(ResetCause cause, int bootMs);
    }
}
