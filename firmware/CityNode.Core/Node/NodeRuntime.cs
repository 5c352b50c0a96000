using CityNode.Buffering;
using CityNode.Config;
using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Node
{
    /// <summary>
    /// The node's life, one cycle per wake: sample the sensors that are due, buffer the sample,
    /// publish when a batch is full, the freshness window has passed or a reading jumped, then
    /// choose how to sleep. The ESP32 program and the host simulation run this same class; only
    /// the <see cref="NodeServices"/> differ.
    /// </summary>
    public sealed class NodeRuntime
    {
        public const int ConnectTimeoutMs = 15000;
        public const int PublishBudgetMs = 20000;
        public const int InFlightWindow = 4;

        private readonly NodeServices _s;
        private readonly SampleFrame _frame;
        private readonly SampleFrame _previous;
        private readonly SampleRing _ring;
        private readonly SampleBatch _batch;
        private readonly BatchEncoder _encoder;
        private readonly Publisher _publisher;
        private readonly Backoff _backoff;
        private readonly NodeDiagnostics _diagnostics = new NodeDiagnostics();
        private readonly CycleOutcome _outcome = new CycleOutcome();
        private NodeConfig _config;
        private long _nextSampleAt;
        private long _lastPublishAt;
        private bool _earlyPublish;
        private bool _havePrevious;

        // Awake and asleep time since the last sealed batch, per phase (ms).
        private long _bootMs;
        private long _sampleMs;
        private long _connectMs;
        private long _publishMs;
        private long _lightSleepMs;
        private long _deepSleepMs;
        private long _cycles;
        private long _bootedAtMs;
        private long _sealedReadings;

        public NodeRuntime(NodeConfig config, NodeServices services)
        {
            _config = config;
            _s = services;
            int channels = services.Sampler.ChannelCount;
            _frame = new SampleFrame(channels);
            _previous = new SampleFrame(channels);
            _ring = new SampleRing(services.RingBytes, channels);
            _batch = new SampleBatch(config.Batch, channels);
            _batch.SetChannels(services.Sampler.Channels, channels);
            _encoder = new BatchEncoder(services.MaxPayloadBytes, config.Batch);
            _publisher = new Publisher(services.Store, services.MaxPayloadBytes, InFlightWindow);
            _backoff = new Backoff(30, 3600, config.NodeId);
        }

        public NodeConfig Config { get { return _config; } }

        public SampleRing Ring { get { return _ring; } }

        public Publisher Publisher { get { return _publisher; } }

        public NodeDiagnostics Diagnostics { get { return _diagnostics; } }

        /// <summary>Readings produced since boot (every slot that is not missing).</summary>
        public long ProducedReadings { get; private set; }

        /// <summary>Samples taken since boot.</summary>
        public long Samples { get; private set; }

        /// <summary>Starts the node: probes the sensors and schedules the first sample now.</summary>
        public void Boot(int bootMs)
        {
            _bootedAtMs = _s.Clock.MonotonicMs;
            _bootMs += bootMs;
            long t0 = _s.Clock.MonotonicMs;
            _s.Sampler.Setup();
            _bootMs += _s.Clock.MonotonicMs - t0;
            _nextSampleAt = _s.Clock.UnixSeconds;
            _lastPublishAt = _s.Clock.UnixSeconds;
        }

        /// <summary>Accounts the sleep that just ended (the caller slept as the last outcome said).</summary>
        public void Slept(SleepKind kind, long ms)
        {
            if (kind == SleepKind.Deep)
            {
                _deepSleepMs += ms;
            }
            else
            {
                _lightSleepMs += ms;
            }
        }

        /// <summary>One wake: sample if due, buffer, maybe publish, then say how long to sleep.</summary>
        public CycleOutcome RunCycle()
        {
            IClock clock = _s.Clock;
            _cycles++;
            _outcome.Sampled = false;
            _outcome.Connected = false;
            _outcome.Delivered = false;
            long now = clock.UnixSeconds;
            if (now >= _nextSampleAt)
            {
                SampleNow(now);
                _outcome.Sampled = true;
            }

            // A full batch is sealed at once, delivered or not: the ring is for the open batch only.
            while (_ring.Count >= _config.Batch)
            {
                Seal();
            }

            now = clock.UnixSeconds;
            if (ShouldPublish(now))
            {
                PublishNow(now);
            }

            ChooseSleep();
            return _outcome;
        }

        /// <summary>
        /// Seals everything buffered and tries to deliver it now, whatever the schedule and backoff
        /// say (before a planned shutdown, from the bench check, at the end of a simulation).
        /// Returns true when nothing is left pending.
        /// </summary>
        public bool Flush()
        {
            PublishNow(_s.Clock.UnixSeconds);
            return _s.Store.PendingCount == 0 && _ring.Count == 0;
        }

        private void SampleNow(long now)
        {
            long t0 = _s.Clock.MonotonicMs;
            Sampler sampler = _s.Sampler;
            sampler.Wake();
            int warmup = sampler.WarmupMs();
            if (warmup > 0)
            {
                _s.Clock.Delay(warmup);
            }

            // The timestamp is when the sensors are read, after any warm-up.
            sampler.Sample(_frame, _s.Clock.UnixSeconds);
            sampler.Sleep();
            CheckEarlyPublish();
            _ring.Append(_frame);
            ProducedReadings += _frame.ReadingCount();
            Samples++;
            int interval = SleepPolicy.Stretch(_config.SampleSeconds, _s.Platform.BatteryMillivolts, _config.LowBatteryMillivolts);
            _nextSampleAt += interval;
            if (_nextSampleAt <= now)
            {
                _nextSampleAt = now + interval;
            }

            _sampleMs += _s.Clock.MonotonicMs - t0;
        }

        /// <summary>A configured channel jumped by more than its threshold since the previous sample.</summary>
        private void CheckEarlyPublish()
        {
            if (_havePrevious)
            {
                for (int i = 0; i < _config.EarlyThresholdCount; i++)
                {
                    long now;
                    long before;
                    if (_frame.TryGetMicro(_config.EarlyChannel(i), out now) && _previous.TryGetMicro(_config.EarlyChannel(i), out before))
                    {
                        long jump = now - before;
                        if (jump < 0)
                        {
                            jump = -jump;
                        }

                        if (jump >= _config.EarlyMicro(i))
                        {
                            _earlyPublish = true;
                        }
                    }
                }
            }

            _previous.CopyFrom(_frame);
            _havePrevious = true;
        }

        private bool ShouldPublish(long now)
        {
            if (!_backoff.Allows(now))
            {
                return false;
            }

            if (_s.Store.PendingCount == 0 && _ring.Count == 0)
            {
                return false;
            }

            // A backlog after a failure is retried as soon as the backoff allows.
            return _earlyPublish || _backoff.Failures > 0 || _s.Store.PendingCount > 0 || now - _lastPublishAt >= _config.PublishSeconds;
        }

        private void PublishNow(long now)
        {
            IClock clock = _s.Clock;
            while (_ring.Count > 0)
            {
                Seal();
            }

            _earlyPublish = false;
            _outcome.Connected = true;
            long t0 = clock.MonotonicMs;
            IUplink uplink = _s.Uplink;
            UplinkStatus status = uplink.Connect(ConnectTimeoutMs);
            long t1 = clock.MonotonicMs;
            _connectMs += t1 - t0;
            bool delivered = false;
            if (status == UplinkStatus.Ok)
            {
                delivered = _publisher.Run(uplink, _config.TelemetryTopic, clock, t1 + PublishBudgetMs);
                uplink.Disconnect();
            }

            _publishMs += clock.MonotonicMs - t1;
            if (delivered)
            {
                _backoff.Succeeded();
                _lastPublishAt = now;
                _outcome.Delivered = true;
            }
            else
            {
                _backoff.Failed(clock.UnixSeconds);
            }
        }

        /// <summary>Moves the oldest samples (up to a batch) from the ring into an encoded batch in the store.</summary>
        private void Seal()
        {
            int n = _ring.ReadOldest(_config.Batch, _batch);
            if (n == 0)
            {
                return;
            }

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

            _sealedReadings += readings;
            FillDiagnostics();
            IBatchStore store = _s.Store;
            uint seq = store.NextSequence;
            int length = _encoder.Encode(_batch, _config.NodeId, seq, _diagnostics);
            store.Append(seq, _encoder.Buffer, 0, length, readings);
            _ring.RemoveOldest(n);
            _bootMs = 0;
            _sampleMs = 0;
            _connectMs = 0;
            _publishMs = 0;
            _lightSleepMs = 0;
            _deepSleepMs = 0;
            _cycles = 0;
        }

        private void FillDiagnostics()
        {
            NodeDiagnostics d = _diagnostics;
            INodePlatform p = _s.Platform;
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
            d.Set(NodeDiagnostics.BootMs, _bootMs);
            d.Set(NodeDiagnostics.SampleMs, _sampleMs);
            d.Set(NodeDiagnostics.ConnectMs, _connectMs);
            d.Set(NodeDiagnostics.PublishMs, _publishMs);
            d.Set(NodeDiagnostics.LightSleepMs, _lightSleepMs);
            d.Set(NodeDiagnostics.DeepSleepMs, _deepSleepMs);
            d.Set(NodeDiagnostics.Cycles, _cycles);
            d.Set(NodeDiagnostics.SensorFaults, _s.Sampler.FaultCount);
            d.Set(NodeDiagnostics.PublishRetries, _publisher.Retries);
            IBatchStore store = _s.Store;
            d.Set(NodeDiagnostics.DroppedReadings, store.DroppedReadings + _ring.DroppedReadings);
            d.Set(NodeDiagnostics.DroppedBatches, store.DroppedBatches);
            d.Set(NodeDiagnostics.QuarantinedBatches, store.QuarantinedBatches);
            d.Set(NodeDiagnostics.FreeHeapBytes, p.FreeHeapBytes);
            d.Set(NodeDiagnostics.ConfigVersion, _config.Version);
            d.Set(NodeDiagnostics.UptimeSeconds, (_s.Clock.MonotonicMs - _bootedAtMs) / 1000);
            d.Set(NodeDiagnostics.ProducedReadings, _sealedReadings + _ring.DroppedReadings);
        }

        private void ChooseSleep()
        {
            long now = _s.Clock.UnixSeconds;
            long wakeAt = _nextSampleAt;
            if (_s.Store.PendingCount > 0 && _backoff.NotBefore > now && _backoff.NotBefore < wakeAt)
            {
                wakeAt = _backoff.NotBefore;
            }

            long ms = (wakeAt - now) * 1000;
            if (ms < 0)
            {
                ms = 0;
            }

            _outcome.SleepMs = (int)ms;
            _outcome.Sleep = SleepPolicy.Choose(ms, _s.Power, _config.Sleep);
        }
    }
}
