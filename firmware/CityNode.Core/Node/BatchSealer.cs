using CityNode.Buffering;
using CityNode.Config;
using CityNode.Telemetry;
using CityNode.Storage;

namespace CityNode.Node
{
    /// <summary>
    /// Moves the oldest samples (up to a batch) from the ring into an encoded batch in the store, with
    /// the diagnostics of the window it closes. A batch too large for one journal record is sealed with
    /// fewer samples. When the store cannot take it (flash worn out or all bad blocks) the samples stay
    /// in the ring, which drops its oldest when full and counts them: the node degrades, it does not stop.
    /// </summary>
    public sealed class BatchSealer
    {
        private readonly NodeServices _s;
        private readonly SampleRing _ring;
        private readonly SampleBatch _batch;
        private readonly BatchEncoder _encoder;
        private readonly BatchDiagnostics _diagnostics;
        private readonly PhaseAccount _phases;

        public BatchSealer(NodeServices services, SampleRing ring, SampleBatch batch, BatchEncoder encoder, BatchDiagnostics diagnostics, PhaseAccount phases)
        {
            _s = services;
            _ring = ring;
            _batch = batch;
            _encoder = encoder;
            _diagnostics = diagnostics;
            _phases = phases;
        }

        /// <summary>Seals the oldest samples, up to a batch; false when there were none or the store refused.</summary>
        public bool Seal(NodeConfig config)
        {
            uint lastId;
            int n = _ring.ReadOldest(config.Batch, _batch, out lastId);
            if (n == 0)
            {
                return false;
            }

            IBatchStore store = _s.Store;
            uint seq = store.NextSequence;
            int length;
            while (true)
            {
                length = _encoder.Encode(_batch, config.NodeId, seq, _diagnostics.Fill(config, CountReadings(n)));
                if (length <= store.MaxPayload || n == 1)
                {
                    break;
                }

                n = _ring.ReadOldest(n / 2, _batch, out lastId);
            }

            if (!store.Append(seq, _encoder.Buffer, 0, length, CountReadings(n), lastId))
            {
                return false;
            }

            _ring.RemoveOldest(n);
            if (_s.Staging != null)
            {
                _s.Staging.SealedId = lastId;
            }

            _phases.NewWindow();
            return true;
        }

        /// <summary>Seals every whole batch the ring holds (the ring keeps the open batch only).</summary>
        public void SealFull(NodeConfig config)
        {
            while (_ring.Count >= config.Batch && Seal(config))
            {
            }
        }

        /// <summary>Seals everything buffered (before a session, a restart, safe mode's report).</summary>
        public void SealAll(NodeConfig config)
        {
            while (_ring.Count > 0 && Seal(config))
            {
            }
        }

        /// <summary>
        /// Safe mode's report: a one-reading batch of the battery voltage (missing when unmeasured) with
        /// the crash count in its diagnostics. True when the store took it.
        /// </summary>
        public bool SealHealth(SampleBatch health, NodeConfig config, long time, int crashes)
        {
            int mv = _s.Platform.BatteryMillivolts;
            health.Count = 1;
            health.ChannelCount = 1;
            health.Channels[0].Set(Channels.BatteryVoltage, Units.Millivolt, 1, 0);
            health.Times[0] = time;
            health.Values[0] = mv;
            health.Status[0] = mv > 0 ? ReadingStatus.Ok : ReadingStatus.Missing;
            NodeDiagnostics d = _diagnostics.Fill(config, mv > 0 ? 1 : 0);
            d.Set(NodeDiagnostics.SafeModeBoots, crashes);
            d.SetText("safe mode: " + crashes.ToString() + " crashes soon after boot");
            IBatchStore store = _s.Store;
            int length = _encoder.Encode(health, config.NodeId, store.NextSequence, d);
            bool ok = store.Append(store.NextSequence, _encoder.Buffer, 0, length, mv > 0 ? 1 : 0, store.LastSampleId);
            _phases.NewWindow();
            return ok;
        }

        private int CountReadings(int n)
        {
            int readings = 0;
            for (int c = 0; c < _batch.ChannelCount; c++)
            {
                int at = _batch.Index(c, 0);
                for (int i = 0; i < n; i++)
                {
                    if (_batch.Status[at + i] != ReadingStatus.Missing)
                    {
                        readings++;
                    }
                }
            }

            return readings;
        }
    }
}
