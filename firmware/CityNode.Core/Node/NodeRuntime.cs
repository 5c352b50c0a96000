using CityNode.Buffering;
using CityNode.Config;
using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Node
{
    /// <summary>
    /// The node's life, one cycle per wake: sample the sensors that are due, buffer the sample,
    /// publish when a batch is full, the freshness window has passed or a reading jumped, then
    /// choose how to sleep. The ESP32 program and the host simulation run this same class; only
    /// the <see cref="NodeServices"/> differ.
    ///
    /// What survives what: the ring lives in RAM and is mirrored sample by sample to the flash
    /// staging log, so deep sleep (a reset) and power loss lose nothing that was measured; sealed
    /// batches live in the flash journal until their PUBACK; the schedule and backoff are saved to
    /// the staging log before a deep sleep.
    /// </summary>
    public sealed class NodeRuntime
    {
        public const int ConnectTimeoutMs = 15000;
        public const int PublishBudgetMs = 20000;
        public const int InFlightWindow = 4;

        /// <summary>Crashes soon after boot, in a row, that start safe mode (as ESPHome's safe_mode does).</summary>
        public const int SafeModeAfterCrashes = 3;

        /// <summary>How long safe mode sleeps before normal mode is tried again: a crash loop costs four boots an hour, not a busy loop.</summary>
        public const int SafeModeSleepSeconds = 3600;
        private const int RuntimeRecordVersion = 3;
        // Schedule (18 bytes) + a pending config refusal (version, reason) to report after a deep sleep.
        private const int RuntimeRecordSize = 18 + 5 + RejectReasonBytes + WindowBytes;

        // The diagnostics window (phase times since the last sealed batch) and the deep sleep being
        // started: RAM is lost at the wake, and each batch must account for all of the node's time.
        private const int WindowBytes = 10 * 4;
        private const int RejectReasonBytes = NodeDiagnostics.MaxTextLength - 8;

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
        private readonly byte[] _runtimeRecord = new byte[RuntimeRecordSize];
        private NodeConfig _config;
        private readonly RemoteConfig _remote;
        private bool _reportRejection;
        private int _crashes;
        private bool _crashesCleared;
        private readonly SampleBatch _health = new SampleBatch(1, 1);
        private long _nextSampleAt;
        private long _oldestUndelivered;
        private uint _nextSampleId;
        private bool _earlyPublish;
        private bool _havePrevious;

        // Where the time went: since the last sealed batch (the diagnostics window) and since boot.
        private readonly PhaseTimes _window = new PhaseTimes();
        private readonly PhaseTimes _total = new PhaseTimes();
        private long _connectMs;
        private long _publishMs;
        private long _cycles;
        private long _bootedAtMs;

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
            // One payload buffer: the encoder seals before a publish session, the publisher reads during it.
            _publisher = new Publisher(services.Store, _encoder.Buffer, InFlightWindow);
            _remote = new RemoteConfig(config.ConfigTopic);
            _publisher.MessageSink = _remote;
            _backoff = new Backoff(30, 3600, config.NodeId);
        }

        public NodeConfig Config { get { return _config; } }

        public SampleRing Ring { get { return _ring; } }

        public Publisher Publisher { get { return _publisher; } }

        public NodeDiagnostics Diagnostics { get { return _diagnostics; } }

        /// <summary>
        /// Booted after <see cref="SafeModeAfterCrashes"/> crashes soon after boot: no sensor is
        /// touched (one of them may be what crashes), the node publishes what it holds plus a
        /// health batch (battery, reset cause, crash count), then sleeps an hour.
        /// </summary>
        public bool SafeMode { get; private set; }

        /// <summary>Readings taken and kept since boot (every slot that is not missing).</summary>
        public long ProducedReadings { get; private set; }

        /// <summary>Samples taken since boot.</summary>
        public long Samples { get; private set; }

        /// <summary>Samples found in the staging log at boot and put back in the ring.</summary>
        public int RestoredSamples { get; private set; }

        /// <summary>Delivery attempts that failed (no network, broker refused, publish not acknowledged) since boot.</summary>
        public long FailedDeliveries { get; private set; }

        /// <summary>
        /// The sample being written to the staging log right now (0 = none) and its readings: if the
        /// power fails during that write, whether the sample was kept is known only after the reboot
        /// (see <see cref="HighestSampleId"/>).
        /// </summary>
        public uint SampleInFlight { get; private set; }

        public int SampleInFlightReadings { get; private set; }

        /// <summary>Time per power state since boot (the simulation's battery model reads it).</summary>
        public PhaseTimes Totals { get { return _total; } }

        /// <summary>The highest sample id this boot found in flash (journal or staging) or took since.</summary>
        public uint HighestSampleId { get { return _nextSampleId - 1; } }

        /// <summary><see cref="HighestSampleId"/> as the last <see cref="Boot"/> found it in flash (whether a sample cut off by a power loss was kept).</summary>
        public uint HighestSampleIdAtBoot { get; private set; }

        /// <summary>
        /// Starts the node: finds the journal and the staged samples, restores the schedule saved
        /// before a deep sleep, and probes the sensors. <paramref name="bootMs"/> is the time the
        /// platform spent before the application ran (CLR boot), for the diagnostics.
        /// </summary>
        public void Boot(int bootMs)
        {
            long t0 = _s.Clock.MonotonicMs;
            _bootedAtMs = t0;
            Account(PhaseBoot, bootMs);
            if (_s.CrashCounter != null)
            {
                // Counted first: whatever follows may be what crashes.
                if (_s.Platform.ResetCause == ResetCause.Crash)
                {
                    _s.CrashCounter.Mark();
                }

                _crashes = _s.CrashCounter.Count();
                SafeMode = _crashes >= SafeModeAfterCrashes;
            }

            long now = _s.Clock.UnixSeconds;
            _nextSampleAt = now;
            IBatchStore store = _s.Store;
            store.Mount();

            _nextSampleId = store.LastSampleId + 1;
            SampleStaging staging = _s.Staging;
            if (staging != null)
            {
                staging.Mount(store.LastSampleId);
                for (int i = 0; i < staging.RestoredCount; i++)
                {
                    uint id = staging.Restored(i, _frame);
                    _ring.Append(_frame, id);
                    if (id >= _nextSampleId)
                    {
                        _nextSampleId = id + 1;
                    }
                }

                if (staging.MaxId >= _nextSampleId)
                {
                    _nextSampleId = staging.MaxId + 1;
                }

                RestoredSamples = staging.RestoredCount;
                if (_ring.Count > 0)
                {
                    _oldestUndelivered = _ring.OldestTime;
                }

                RestoreRuntime(staging);
            }

            HighestSampleIdAtBoot = _nextSampleId - 1;
            if (!SafeMode)
            {
                _s.Sampler.Setup();
            }

            Account(PhaseActive, _s.Clock.MonotonicMs - t0);
        }

        /// <summary>Accounts the sleep that just ended (the caller slept as the last outcome said).</summary>
        public void Slept(SleepKind kind, long ms)
        {
            Account(kind == SleepKind.Deep ? PhaseDeep : PhaseLight, ms);
        }

        /// <summary>One wake: sample if due, buffer, maybe publish, then say how long to sleep.</summary>
        public CycleOutcome RunCycle()
        {
            IClock clock = _s.Clock;
            _cycles++;
            _outcome.Sampled = false;
            _outcome.Connected = false;
            _outcome.Delivered = false;
            _outcome.RestartRequested = false;
            if (SafeMode)
            {
                return RunSafeMode();
            }

            long now = clock.UnixSeconds;
            if (now >= _nextSampleAt)
            {
                SampleNow(now);
                _outcome.Sampled = true;
            }

            // A full batch is sealed at once, delivered or not: the ring holds the open batch only.
            while (_ring.Count >= _config.Batch && Seal())
            {
            }

            now = clock.UnixSeconds;
            if (ShouldPublish(now))
            {
                PublishNow(now);
            }

            ChooseSleep();
            if (_outcome.Sleep == SleepKind.Deep)
            {
                SaveRuntime();
            }

            if (_crashes > 0 && !_crashesCleared)
            {
                // A whole cycle without a crash: the earlier ones were not a loop.
                _s.CrashCounter.Clear();
                _crashesCleared = true;
            }

            return _outcome;
        }

        private CycleOutcome RunSafeMode()
        {
            IClock clock = _s.Clock;
            IBatchStore store = _s.Store;

            // What the ring brought back from the staging log goes first; the health batch last.
            while (_ring.Count > 0 && Seal())
            {
            }

            int mv = _s.Platform.BatteryMillivolts;
            _health.Count = 1;
            _health.ChannelCount = 1;
            _health.Channels[0].Set(Channels.BatteryVoltage, Units.Millivolt, 1, 0);
            _health.Times[0] = clock.UnixSeconds;
            _health.Values[0] = mv;
            _health.Status[0] = mv > 0 ? ReadingStatus.Ok : ReadingStatus.Missing;
            FillDiagnostics(mv > 0 ? 1 : 0);
            _diagnostics.Set(NodeDiagnostics.SafeModeBoots, _crashes);
            _diagnostics.SetText("safe mode: " + _crashes.ToString() + " crashes soon after boot");
            int length = _encoder.Encode(_health, _config.NodeId, store.NextSequence, _diagnostics);
            if (store.Append(store.NextSequence, _encoder.Buffer, 0, length, mv > 0 ? 1 : 0, store.LastSampleId))
            {
                ProducedReadings += mv > 0 ? 1 : 0;
            }

            ResetPhaseTimes();
            PublishNow(clock.UnixSeconds);

            // Reported: give normal mode another try after the pause.
            _s.CrashCounter.Clear();
            _outcome.Sleep = SleepKind.Deep;
            _outcome.SleepMs = SafeModeSleepSeconds * 1000;
            SaveRuntime();
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
            long w0 = _s.Clock.WaitedMs;
            Sampler sampler = _s.Sampler;
            sampler.Wake();
            int warmup = sampler.WarmupMs();
            long dozed = _s.Clock.MonotonicMs;
            if (warmup > 0)
            {
                // Sensors powered and filling up, nothing expected on a bus: the CPU light-sleeps meanwhile.
                _s.Clock.Doze(warmup);
            }

            dozed = _s.Clock.MonotonicMs - dozed;

            // The timestamp is when the sensors are read, after any warm-up.
            sampler.Sample(_frame, _s.Clock.UnixSeconds);
            sampler.Sleep();
            CheckEarlyPublish();
            uint id = _nextSampleId++;
            int readings = _frame.ReadingCount();
            _ring.Append(_frame, id);
            if (_s.Staging != null)
            {
                SampleInFlight = id;
                SampleInFlightReadings = readings;
                _s.Staging.Append(id, _frame);
                SampleInFlight = 0;
            }

            ProducedReadings += readings;
            if (_oldestUndelivered == 0)
            {
                _oldestUndelivered = _frame.Time;
            }

            Samples++;
            _window.Samples++;
            _total.Samples++;
            _window.Readings += readings;
            _total.Readings += readings;
            int interval = SleepPolicy.Stretch(_config.SampleSeconds, _s.Platform.BatteryMillivolts, _config.LowBatteryMillivolts);
            _nextSampleAt += interval;
            if (_nextSampleAt <= now)
            {
                _nextSampleAt = now + interval;
            }

            long waited = _s.Clock.WaitedMs - w0;
            Account(PhaseLight, dozed);
            Account(PhaseWait, waited);
            Account(PhaseActive, _s.Clock.MonotonicMs - t0 - waited - dozed);
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
                        if (IntMath.Abs(now - before) >= _config.EarlyMicro(i))
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

            // A backlog after a failure is retried as soon as the backoff allows. Otherwise publish
            // now only if, by the next wake, the oldest sample not yet delivered would be older than
            // the freshness window: one connection then serves every sample up to that age, the
            // fewest connections the window allows (docs/energy.md).
            return _earlyPublish || _backoff.Failures > 0 || _s.Store.PendingCount > 0 ||
                (_oldestUndelivered != 0 && _nextSampleAt - _oldestUndelivered > _config.PublishSeconds);
        }

        private void PublishNow(long now)
        {
            IClock clock = _s.Clock;
            _earlyPublish = false;
            _outcome.Connected = true;
            long t0 = clock.MonotonicMs;
            IUplink uplink = _s.Uplink;
            UplinkStatus status = uplink.Connect(ConnectTimeoutMs);
            long t1 = clock.MonotonicMs;
            _connectMs += t1 - t0;
            Account(PhaseRadio, t1 - t0);
            bool delivered = false;
            if (status == UplinkStatus.Ok)
            {
                // Sealed only once connected: while offline the ring fills whole batches, which
                // cost less header per reading in the journal than one small batch per attempt.
                while (_ring.Count > 0 && Seal())
                {
                }

                // The retained configuration arrives right after SUBACK, so it is in hand by the
                // time the batches are acknowledged: reading it costs no extra radio time.
                uplink.Subscribe(_config.ConfigTopic);
                delivered = _publisher.Run(uplink, _config.TelemetryTopic, clock, t1 + PublishBudgetMs);
                uplink.Poll(0, _publisher);
                uplink.Disconnect();
            }

            _publishMs += clock.MonotonicMs - t1;
            Account(PhaseRadio, clock.MonotonicMs - t1);
            ApplyRemoteConfig();
            if (delivered)
            {
                _backoff.Succeeded();
                _oldestUndelivered = 0;
                _outcome.Delivered = true;
            }
            else
            {
                FailedDeliveries++;
                _backoff.Failed(clock.UnixSeconds);
            }
        }

        /// <summary>Applies (or refuses) a configuration document that arrived during the session.</summary>
        private void ApplyRemoteConfig()
        {
            NodeConfig next;
            RemoteConfigResult r = _remote.Apply(_config, _s.ProvisionedConfig ?? _config, _s.ConfigStore, out next);
            if (r == RemoteConfigResult.Rejected)
            {
                _reportRejection = true;
                return;
            }

            if (r == RemoteConfigResult.None)
            {
                return;
            }

            _reportRejection = false;
            if (r == RemoteConfigResult.AppliedAtRestart)
            {
                // Buffers and drivers are built for the old layout: seal what is buffered into
                // self-describing batches in flash first, so the restart loses nothing.
                while (_ring.Count > 0 && Seal())
                {
                }

                _outcome.RestartRequested = true;
            }

            _config = next;
        }

        /// <summary>
        /// Moves the oldest samples (up to a batch) from the ring into an encoded batch in the store.
        /// False when the store cannot take it (flash worn out or all bad blocks): the samples stay
        /// in the ring, which drops its oldest when full and counts them — the node degrades, it
        /// does not stop.
        /// </summary>
        private bool Seal()
        {
            uint lastId;
            int n = _ring.ReadOldest(_config.Batch, _batch, out lastId);
            if (n == 0)
            {
                return false;
            }

            IBatchStore store = _s.Store;
            uint seq = store.NextSequence;
            int length;
            while (true)
            {
                FillDiagnostics(CountReadings(n));
                length = _encoder.Encode(_batch, _config.NodeId, seq, _diagnostics);
                if (length <= store.MaxPayload || n == 1)
                {
                    break;
                }

                // Too large for one journal record: seal fewer samples.
                n = _ring.ReadOldest(n / 2, _batch, out lastId);
            }

            int readings = CountReadings(n);
            if (!store.Append(seq, _encoder.Buffer, 0, length, readings, lastId))
            {
                return false;
            }

            _ring.RemoveOldest(n);
            if (_s.Staging != null)
            {
                _s.Staging.SealedId = lastId;
            }

            ResetPhaseTimes();
            return true;
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

        private void ResetPhaseTimes()
        {
            _window.Clear();
            _connectMs = 0;
            _publishMs = 0;
            _cycles = 0;
        }

        private const int PhaseBoot = 0;
        private const int PhaseActive = 1;
        private const int PhaseWait = 2;
        private const int PhaseRadio = 3;
        private const int PhaseLight = 4;
        private const int PhaseDeep = 5;

        private void Account(int phase, long ms)
        {
            Add(_window, phase, ms);
            Add(_total, phase, ms);
        }

        private static void Add(PhaseTimes t, int phase, long ms)
        {
            switch (phase)
            {
                case PhaseBoot: t.BootMs += ms; break;
                case PhaseActive: t.ActiveMs += ms; break;
                case PhaseWait: t.WaitMs += ms; break;
                case PhaseRadio: t.RadioMs += ms; break;
                case PhaseLight: t.LightSleepMs += ms; break;
                default: t.DeepSleepMs += ms; break;
            }
        }

        private void FillDiagnostics(int readingsInBatch)
        {
            NodeDiagnostics d = _diagnostics;
            INodePlatform p = _s.Platform;
            IBatchStore store = _s.Store;
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
            d.Set(NodeDiagnostics.BootMs, _window.BootMs);
            d.Set(NodeDiagnostics.SampleMs, _window.ActiveMs + _window.WaitMs);
            d.Set(NodeDiagnostics.WaitMs, _window.WaitMs);
            d.Set(NodeDiagnostics.ConnectMs, _connectMs);
            d.Set(NodeDiagnostics.PublishMs, _publishMs);
            d.Set(NodeDiagnostics.LightSleepMs, _window.LightSleepMs);
            d.Set(NodeDiagnostics.DeepSleepMs, _window.DeepSleepMs);
            d.Set(NodeDiagnostics.Cycles, _cycles);
            d.Set(NodeDiagnostics.SensorFaults, _s.Sampler.FaultCount);
            d.Set(NodeDiagnostics.PublishRetries, FailedDeliveries);
            d.Set(NodeDiagnostics.DroppedReadings, store.DroppedReadings + _ring.DroppedReadings + store.QuarantinedReadings);
            d.Set(NodeDiagnostics.DroppedBatches, store.DroppedBatches);
            d.Set(NodeDiagnostics.QuarantinedBatches, store.QuarantinedBatches);
            d.Set(NodeDiagnostics.JournalRecoveries, store.Recoveries);
            d.Set(NodeDiagnostics.FreeHeapBytes, p.FreeHeapBytes);
            d.Set(NodeDiagnostics.ConfigVersion, _config.Version);
            if (_reportRejection)
            {
                d.Set(NodeDiagnostics.ConfigRejectedVersion, _remote.RejectedVersion);
                d.SetText("config: " + _remote.Reason);
            }
            d.Set(NodeDiagnostics.UptimeSeconds, (_s.Clock.MonotonicMs - _bootedAtMs) / 1000);
            d.Set(NodeDiagnostics.ProducedReadings, store.SealedReadings + readingsInBatch + _ring.DroppedReadings);
        }

        /// <summary>ShouldPublish as it will stand after the sample of the wake at <paramref name="wakeAt"/> (a jump in the readings aside).</summary>
        private bool WillPublishAt(long wakeAt)
        {
            if (!_backoff.Allows(wakeAt))
            {
                return false;
            }

            long oldest = _oldestUndelivered != 0 ? _oldestUndelivered : wakeAt;
            return _backoff.Failures > 0 || _s.Store.PendingCount > 0 || (wakeAt + _config.SampleSeconds) - oldest > _config.PublishSeconds;
        }

        private void ChooseSleep()
        {
            long nowMs = _s.Clock.UnixMilliseconds;
            long wakeAt = _nextSampleAt;
            if (_s.Store.PendingCount > 0 && _backoff.NotBefore * 1000 > nowMs && _backoff.NotBefore < wakeAt)
            {
                wakeAt = _backoff.NotBefore;
            }

            long ms = (wakeAt * 1000) - nowMs;
            if (ms < 0)
            {
                ms = 0;
            }

            _outcome.SleepMs = (int)ms;
            _outcome.Sleep = SleepPolicy.Choose(ms, _s.Power, _config.Sleep);

            // A radio that only a reset stops would stay on through every wake until then: reset now
            // (one boot) instead, unless the config pins light sleep.
            if (_outcome.Connected && _s.Platform.RadioStaysOnUntilReset && _config.Sleep != "light" && ms > _s.Power.BootMs)
            {
                _outcome.Sleep = SleepKind.Deep;
            }

            _outcome.ConnectAtWake = WillPublishAt(wakeAt);
            if (_outcome.ConnectAtWake && !_s.Platform.RadioReady && _config.Sleep != "light")
            {
                _outcome.Sleep = SleepKind.Deep;
            }
        }

        /// <summary>Writes the schedule and backoff to the staging log (RAM is lost in deep sleep).</summary>
        private void SaveRuntime()
        {
            // The journal's positions too: the wake then mounts from them instead of reading every sector.
            _s.Store.Checkpoint();
            if (_s.Staging == null)
            {
                return;
            }

            byte[] r = _runtimeRecord;
            r[0] = RuntimeRecordVersion;
            LittleEndian.WriteUInt32(r, 1, (uint)_nextSampleAt);
            LittleEndian.WriteUInt32(r, 5, (uint)_oldestUndelivered);
            r[9] = (byte)(_backoff.Failures > 255 ? 255 : _backoff.Failures);
            LittleEndian.WriteUInt32(r, 10, (uint)_backoff.NotBefore);
            LittleEndian.WriteUInt32(r, 14, _nextSampleId);
            LittleEndian.WriteUInt32(r, 18, _reportRejection ? (uint)_remote.RejectedVersion : uint.MaxValue);
            string reason = _reportRejection ? _remote.Reason : string.Empty;
            int n = reason.Length < RejectReasonBytes ? reason.Length : RejectReasonBytes;
            r[22] = (byte)n;
            for (int i = 0; i < RejectReasonBytes; i++)
            {
                r[23 + i] = i < n ? (byte)reason[i] : (byte)0;
            }

            int w = 23 + RejectReasonBytes;
            LittleEndian.WriteUInt32(r, w, (uint)_window.BootMs);
            LittleEndian.WriteUInt32(r, w + 4, (uint)_window.ActiveMs);
            LittleEndian.WriteUInt32(r, w + 8, (uint)_window.WaitMs);
            LittleEndian.WriteUInt32(r, w + 12, (uint)_window.RadioMs);
            LittleEndian.WriteUInt32(r, w + 16, (uint)_window.LightSleepMs);
            LittleEndian.WriteUInt32(r, w + 20, (uint)_window.DeepSleepMs);
            LittleEndian.WriteUInt32(r, w + 24, (uint)_connectMs);
            LittleEndian.WriteUInt32(r, w + 28, (uint)_publishMs);
            LittleEndian.WriteUInt32(r, w + 32, (uint)_cycles);
            LittleEndian.WriteUInt32(r, w + 36, (uint)_outcome.SleepMs);
            _s.Staging.SaveRuntime(r, RuntimeRecordSize);
        }

        private void RestoreRuntime(SampleStaging staging)
        {
            byte[] r = _runtimeRecord;
            if (staging.ReadRuntime(r) != RuntimeRecordSize || r[0] != RuntimeRecordVersion)
            {
                return;
            }

            _nextSampleAt = LittleEndian.ReadUInt32(r, 1);
            _oldestUndelivered = LittleEndian.ReadUInt32(r, 5);
            _backoff.Restore(r[9], LittleEndian.ReadUInt32(r, 10));
            uint id = LittleEndian.ReadUInt32(r, 14);
            if (id > _nextSampleId)
            {
                _nextSampleId = id;
            }

            uint rejected = LittleEndian.ReadUInt32(r, 18);
            if (rejected != uint.MaxValue && r[22] <= RejectReasonBytes)
            {
                char[] reason = new char[r[22]];
                for (int i = 0; i < reason.Length; i++)
                {
                    reason[i] = (char)r[23 + i];
                }

                _remote.Restore((int)rejected, new string(reason));
                _reportRejection = true;
            }

            int w = 23 + RejectReasonBytes;
            _window.BootMs += LittleEndian.ReadUInt32(r, w);
            _window.ActiveMs += LittleEndian.ReadUInt32(r, w + 4);
            _window.WaitMs += LittleEndian.ReadUInt32(r, w + 8);
            _window.RadioMs += LittleEndian.ReadUInt32(r, w + 12);
            _window.LightSleepMs += LittleEndian.ReadUInt32(r, w + 16);
            _window.DeepSleepMs += LittleEndian.ReadUInt32(r, w + 20);
            _connectMs += LittleEndian.ReadUInt32(r, w + 24);
            _publishMs += LittleEndian.ReadUInt32(r, w + 28);
            _cycles += LittleEndian.ReadUInt32(r, w + 32);
            if (_s.Platform.ResetCause == ResetCause.DeepSleepWake)
            {
                Account(PhaseDeep, LittleEndian.ReadUInt32(r, w + 36)); // the sleep that just ended
            }
        }
    }
}
