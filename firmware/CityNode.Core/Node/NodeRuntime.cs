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
    ///
    /// Its parts: <see cref="NodeSchedule"/> (when to sample, publish, how to sleep),
    /// <see cref="BatchSealer"/> (ring → encoded batch in the journal), <see cref="DeliverySession"/>
    /// (connect, publish, remote configuration), <see cref="BatchDiagnostics"/> and
    /// <see cref="PhaseAccount"/> (what each batch reports), <see cref="RuntimeRecord"/> (what a deep sleep keeps).
    /// </summary>
    public sealed class NodeRuntime
    {
        public const int ConnectTimeoutMs = DeliverySession.ConnectTimeoutMs;
        public const int PublishBudgetMs = DeliverySession.PublishBudgetMs;
        public const int InFlightWindow = DeliverySession.InFlightWindow;

        /// <summary>Crashes soon after boot, in a row, that start safe mode (as ESPHome's safe_mode does).</summary>
        public const int SafeModeAfterCrashes = 3;

        /// <summary>How long safe mode sleeps before normal mode is tried again: a crash loop costs four boots an hour, not a busy loop.</summary>
        public const int SafeModeSleepSeconds = 3600;

        private readonly NodeServices _s;
        private readonly SampleFrame _frame;
        private readonly SampleRing _ring;
        private readonly NodeSchedule _schedule;
        private readonly PhaseAccount _phases = new PhaseAccount();
        private readonly DeliverySession _session;
        private readonly BatchDiagnostics _diagnostics;
        private readonly BatchSealer _sealer;
        private readonly RuntimeRecord _record = new RuntimeRecord();
        private readonly CycleOutcome _outcome = new CycleOutcome();
        private readonly SampleBatch _health = new SampleBatch(1, 1);
        private NodeConfig _config;
        private int _crashes;
        private bool _crashesCleared;
        private int _sampleLagMs = -1; // from the wake to the publish decision, measured at this boot's last sampling wake

        public NodeRuntime(NodeConfig config, NodeServices services)
        {
            _config = config;
            _s = services;
            int channels = services.Sampler.ChannelCount;
            _frame = new SampleFrame(channels);
            _ring = new SampleRing(services.RingBytes, channels);
            SampleBatch batch = new SampleBatch(config.Batch, channels);
            batch.SetChannels(services.Sampler.Channels, channels);
            BatchEncoder encoder = new BatchEncoder(services.MaxPayloadBytes, config.Batch);
            _schedule = new NodeSchedule(config.NodeId);

            // One payload buffer: the encoder seals before a publish session, the publisher reads during it.
            _session = new DeliverySession(services, encoder.Buffer, config);
            _diagnostics = new BatchDiagnostics(services, _ring, _phases, _session);
            _sealer = new BatchSealer(services, _ring, batch, encoder, _diagnostics, _phases);
        }

        public NodeConfig Config { get { return _config; } }

        public SampleRing Ring { get { return _ring; } }

        public Publisher Publisher { get { return _session.Publisher; } }

        public NodeDiagnostics Diagnostics { get { return _diagnostics.Values; } }

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
        public long FailedDeliveries { get { return _session.Failures; } }

        /// <summary>
        /// The sample being written to the staging log right now (0 = none) and its readings: if the
        /// power fails during that write, whether the sample was kept is known only after the reboot
        /// (see <see cref="HighestSampleId"/>).
        /// </summary>
        public uint SampleInFlight { get; private set; }

        public int SampleInFlightReadings { get; private set; }

        /// <summary>Time per power state since boot (the simulation's battery model reads it).</summary>
        public PhaseTimes Totals { get { return _phases.Total; } }

        /// <summary>The highest sample id this boot found in flash (journal or staging) or took since.</summary>
        public uint HighestSampleId { get { return _schedule.NextSampleId - 1; } }

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
            _diagnostics.BootedAtMs = t0;
            _phases.Add(PhaseAccount.Boot, bootMs);
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

            _schedule.Start(_s.Clock.UnixSeconds);
            IBatchStore store = _s.Store;
            store.Mount();
            _schedule.NextSampleId = store.LastSampleId + 1;
            if (_session.Ota != null)
            {
                _session.Ota.FirstSequence = store.NextSequence;
            }

            if (_s.Staging != null)
            {
                RestoreStaged(_s.Staging, store.LastSampleId);
            }

            HighestSampleIdAtBoot = _schedule.NextSampleId - 1;
            if (!SafeMode)
            {
                _s.Sampler.Setup();
            }

            _phases.Add(PhaseAccount.Active, _s.Clock.MonotonicMs - t0);
        }

        /// <summary>Puts the samples staged since the last sealed batch back in the ring, and the record a deep sleep kept.</summary>
        private void RestoreStaged(SampleStaging staging, uint sealedId)
        {
            staging.Mount(sealedId);
            for (int i = 0; i < staging.RestoredCount; i++)
            {
                uint id = staging.Restored(i, _frame);
                _ring.Append(_frame, id);
                if (id >= _schedule.NextSampleId)
                {
                    _schedule.NextSampleId = id + 1;
                }
            }

            if (staging.MaxId >= _schedule.NextSampleId)
            {
                _schedule.NextSampleId = staging.MaxId + 1;
            }

            RestoredSamples = staging.RestoredCount;
            if (_ring.Count > 0)
            {
                _schedule.OldestUndelivered = _ring.OldestTime;
            }

            long slept = _record.Restore(staging, _schedule, _session, _phases);
            if (slept >= 0 && _s.Platform.ResetCause == ResetCause.DeepSleepWake)
            {
                _phases.Add(PhaseAccount.Deep, slept); // the sleep that just ended
            }
        }

        /// <summary>Accounts the sleep that just ended (the caller slept as the last outcome said).</summary>
        public void Slept(SleepKind kind, long ms)
        {
            _phases.Add(kind == SleepKind.Deep ? PhaseAccount.Deep : PhaseAccount.Light, ms);
        }

        /// <summary>One wake: sample if due, buffer, maybe publish, then say how long to sleep.</summary>
        public CycleOutcome RunCycle()
        {
            IClock clock = _s.Clock;
            _phases.Cycle();
            _outcome.Sampled = false;
            _outcome.Connected = false;
            _outcome.Delivered = false;
            _outcome.RestartRequested = false;
            if (SafeMode)
            {
                return RunSafeMode();
            }

            long woke = clock.UnixMilliseconds;
            if (_schedule.SampleDue(clock.UnixSeconds))
            {
                SampleNow();
                _outcome.Sampled = true;
                _sampleLagMs = (int)(clock.UnixMilliseconds - woke);
            }

            // A full batch is sealed at once, delivered or not: the ring holds the open batch only.
            _sealer.SealFull(_config);
            // Batches sent and waiting for the backend's acknowledgement do not call for a session until their resend time.
            // A trial publishes at every wake until it is confirmed: it has a few boots to prove itself (docs/ota.md).
            bool trial = _session.Ota != null && _session.Ota.InTrial;
            bool publish = trial || _schedule.ShouldPublish(clock.UnixSeconds, _session.Publisher.ToSend(clock.UnixSeconds), _ring.Count, _config);
            bool radioLater = !_schedule.TakeRadioRestart() && publish && !_s.Platform.RadioReady;
            if (radioLater)
            {
                _schedule.PublishAfterReset();
            }
            else if (publish)
            {
                PublishNow();
            }

            _schedule.ChooseSleep(_outcome, clock.UnixMilliseconds, _session.Publisher, _sampleLagMs >= 0 ? _sampleLagMs : _s.Sampler.WarmupMs(), _config, _s.Power, _s.Platform);
            if (radioLater)
            {
                RestartWithRadio();
            }

            if (_session.Ota != null)
            {
                _session.Ota.ChooseSleep(_outcome);
            }

            if (_outcome.Sleep == SleepKind.Deep)
            {
                SaveForDeepSleep();
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
            // What the ring brought back from the staging log goes first; the health batch last.
            _sealer.SealAll(_config);
            if (_sealer.SealHealth(_health, _config, _s.Clock.UnixSeconds, _crashes) && _health.Status[0] != ReadingStatus.Missing)
            {
                ProducedReadings++;
            }

            if (!_schedule.TakeRadioRestart() && !_s.Platform.RadioReady)
            {
                _schedule.PublishAfterReset();
                RestartWithRadio(); // safe mode again at that boot: the crash counter stays
                SaveForDeepSleep();
                return _outcome;
            }

            PublishNow();

            // Reported: give normal mode another try after the pause.
            _s.CrashCounter.Clear();
            _outcome.Sleep = SleepKind.Deep;
            _outcome.SleepMs = SafeModeSleepSeconds * 1000;
            SaveForDeepSleep();
            return _outcome;
        }

        /// <summary>
        /// Seals everything buffered and tries to deliver it now, whatever the schedule and backoff
        /// say (before a planned shutdown, from the bench check, at the end of a simulation).
        /// Returns true when nothing is left pending.
        /// </summary>
        public bool Flush()
        {
            _session.Publisher.ResendAll(); // nothing waits for the backend's acknowledgement at a shutdown
            PublishNow();
            return _s.Store.PendingCount == 0 && _ring.Count == 0;
        }

        private void SampleNow()
        {
            IClock clock = _s.Clock;
            long now = clock.UnixSeconds;
            long t0 = clock.MonotonicMs;
            long w0 = clock.WaitedMs;
            Sampler sampler = _s.Sampler;
            sampler.Wake();
            int warmup = sampler.WarmupMs();
            long dozed = clock.MonotonicMs;
            if (warmup > 0)
            {
                // Sensors powered and filling up, nothing expected on a bus: the CPU light-sleeps meanwhile.
                clock.Doze(warmup);
            }

            dozed = clock.MonotonicMs - dozed;

            // The timestamp is when the sensors are read, after any warm-up.
            sampler.Sample(_frame, clock.UnixSeconds);
            sampler.Sleep();
            uint id = _schedule.NextSampleId++;
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
            Samples++;
            if (readings > 0 && _session.Ota != null)
            {
                _session.Ota.SensorsRead = true;
            }

            _phases.Sampled(readings);
            _schedule.Sampled(_frame, _config, now, SleepPolicy.Stretch(_config.SampleSeconds, _s.Platform.BatteryMillivolts, _config.LowBatteryMillivolts));
            long waited = clock.WaitedMs - w0;
            _phases.Add(PhaseAccount.Light, dozed);
            _phases.Add(PhaseAccount.Wait, waited);
            _phases.Add(PhaseAccount.Active, clock.MonotonicMs - t0 - waited - dozed);
        }

        private void PublishNow()
        {
            _outcome.Connected = true;
            bool delivered = _session.Run(_config, _sealer, _phases);
            bool restart;
            NodeConfig next = _session.TakeConfig(_config, out restart);
            if (next != null)
            {
                if (restart)
                {
                    // Buffers and drivers are built for the old layout: seal what is buffered into
                    // self-describing batches in flash first, so the restart loses nothing.
                    _sealer.SealAll(_config);
                    _outcome.RestartRequested = true;
                }

                _config = next;
                _session.Configure(next);
            }

            _schedule.Published(delivered, _s.Clock.UnixSeconds);
            _outcome.Delivered = delivered;
        }

        /// <summary>
        /// This boot came up without the radio (the ESP32 chooses it at reset, from the Wi-Fi options
        /// saved before the sleep) and a publish is due that the last sleep did not foresee: a jump in
        /// the readings, a session that ended after the warm-up. A session now would fail as "no network"
        /// with the network up, and grow the backoff for nothing: restart at once into a boot with the
        /// radio instead — one boot's cost (power.boot_ms); the publish stays due in the record.
        /// </summary>
        private void RestartWithRadio()
        {
            _outcome.Sleep = SleepKind.Deep;
            _outcome.SleepMs = WakeSleepDriver.MinSleepMs;
            _outcome.ConnectAtWake = true;
        }

        /// <summary>Keeps what RAM loses in a deep sleep: the journal's positions and the runtime record.</summary>
        private void SaveForDeepSleep()
        {
            // The journal's positions: the wake then mounts from them instead of reading every sector.
            _s.Store.Checkpoint();

            // A record the log cannot take only costs the schedule: the wake rebuilds it from the samples in flash.
            if (_s.Staging != null)
            {
                _record.Save(_s.Staging, _schedule, _session, _phases, _outcome.SleepMs);
            }
        }
    }
}
