using CityNode.Hal;

namespace CityNode.Node
{
    /// <summary>What a cycle did and how the node should sleep until the next one.</summary>
    public sealed class CycleOutcome
    {
        public SleepKind Sleep { get; internal set; }

        public int SleepMs { get; internal set; }

        public bool Sampled { get; internal set; }

        /// <summary>A delivery was attempted this cycle.</summary>
        public bool Connected { get; internal set; }

        /// <summary>Everything pending was delivered this cycle.</summary>
        public bool Delivered { get; internal set; }

        /// <summary>
        /// A remote configuration that changes buffers or drivers (batch, sensors, calibration) was
        /// persisted: restart the node (everything buffered is sealed into flash already).
        /// </summary>
        public bool RestartRequested { get; internal set; }

        /// <summary>
        /// The next wake will probably connect (a batch due, a retry, the freshness window): where the
        /// radio's state is chosen at reset (nanoFramework's saved Wi-Fi options), start it then.
        /// </summary>
        public bool ConnectAtWake { get; internal set; }
    }
}
