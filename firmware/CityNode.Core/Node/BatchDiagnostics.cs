using CityNode.Buffering;
using CityNode.Config;
using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Telemetry;
using CityNode.Storage;

namespace CityNode.Node
{
    /// <summary>
    /// The diagnostics every batch carries (docs/payload.md): battery, radio, reset and wake-up cause,
    /// the phase times of the window the batch closes, faults, retries, drops, heap, config version (and
    /// a refused one with its reason), uptime, and the readings produced so far — so that the backend
    /// can check that nothing was lost and see where the battery goes.
    /// </summary>
    public sealed class BatchDiagnostics
    {
        private readonly NodeServices _s;
        private readonly SampleRing _ring;
        private readonly PhaseAccount _phases;
        private readonly DeliverySession _session;

        public BatchDiagnostics(NodeServices services, SampleRing ring, PhaseAccount phases, DeliverySession session)
        {
            _s = services;
            _ring = ring;
            _phases = phases;
            _session = session;
            Values = new NodeDiagnostics();
        }

        public NodeDiagnostics Values { get; private set; }

        /// <summary>Monotonic milliseconds at boot (for the uptime).</summary>
        public long BootedAtMs { get; set; }

        /// <summary>Fills <see cref="Values"/> for a batch of <paramref name="readingsInBatch"/> readings.</summary>
        public NodeDiagnostics Fill(NodeConfig config, int readingsInBatch)
        {
            NodeDiagnostics d = Values;
            INodePlatform p = _s.Platform;
            IBatchStore store = _s.Store;
            Power.PhaseTimes w = _phases.Window;
            d.Clear();
            if (p.BatteryMillivolts > 0)
            {
                d.Set(NodeDiagnostics.BatteryMillivolts, p.BatteryMillivolts);
            }

            if (_s.Uplink.Rssi != 0)
            {
                d.Set(NodeDiagnostics.RssiDbm, _s.Uplink.Rssi);
            }

            d.Set(NodeDiagnostics.ResetCause, (int)p.ResetCause);
            d.Set(NodeDiagnostics.WakeupCause, p.WakeupCause);
            d.Set(NodeDiagnostics.BootMs, w.BootMs);
            d.Set(NodeDiagnostics.SampleMs, w.ActiveMs + w.WaitMs);
            d.Set(NodeDiagnostics.WaitMs, w.WaitMs);
            d.Set(NodeDiagnostics.ConnectMs, _phases.ConnectMs);
            d.Set(NodeDiagnostics.PublishMs, _phases.PublishMs);
            d.Set(NodeDiagnostics.LightSleepMs, w.LightSleepMs);
            d.Set(NodeDiagnostics.DeepSleepMs, w.DeepSleepMs);
            d.Set(NodeDiagnostics.Cycles, _phases.Cycles);
            d.Set(NodeDiagnostics.SensorFaults, _s.Sampler.FaultCount);
            d.Set(NodeDiagnostics.PublishRetries, _session.Failures);
            d.Set(NodeDiagnostics.DroppedReadings, store.DroppedReadings + _ring.DroppedReadings + store.QuarantinedReadings);
            d.Set(NodeDiagnostics.DroppedBatches, store.DroppedBatches);
            d.Set(NodeDiagnostics.QuarantinedBatches, store.QuarantinedBatches);
            d.Set(NodeDiagnostics.JournalRecoveries, store.Recoveries);
            d.Set(NodeDiagnostics.FreeHeapBytes, p.FreeHeapBytes);
            d.Set(NodeDiagnostics.ConfigVersion, config.Version);
            if (_session.ReportRejection)
            {
                d.Set(NodeDiagnostics.ConfigRejectedVersion, _session.RejectedVersion);
                d.SetText("config: " + _session.RejectionReason);
            }

            if (config.BackendAck)
            {
                d.Set(NodeDiagnostics.AckedSequence, _session.Publisher.BackendAcknowledged);
                d.Set(NodeDiagnostics.ResentBatches, _session.Publisher.Resent);
            }

            if (_session.Ota != null)
            {
                Ota.OtaStatus o = _session.Ota.Current();
                d.Set(NodeDiagnostics.OtaVersion, o.RunningVersion);
                d.Set(NodeDiagnostics.OtaSlot, o.Slot);
                d.Set(NodeDiagnostics.OtaState, (int)o.State);
                d.Set(NodeDiagnostics.OtaReceived, o.BytesReceived);
                d.Set(NodeDiagnostics.OtaFailure, ((long)o.LastFailure * 65536) + (o.FailureDetail & 0xFFFF));
            }

            d.Set(NodeDiagnostics.UptimeSeconds, (_s.Clock.MonotonicMs - BootedAtMs) / 1000);
            d.Set(NodeDiagnostics.ProducedReadings, store.SealedReadings + readingsInBatch + _ring.DroppedReadings);
            return d;
        }
    }
}
