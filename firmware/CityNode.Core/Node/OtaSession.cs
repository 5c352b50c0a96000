using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Ota;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Node
{
    /// <summary>
    /// The update's part of a publish window (docs/ota.md), run after the journal's batches are sent
    /// so readings keep priority: a trial that has read its sensors and had a batch acknowledged
    /// confirms itself; the node's retained manifest is read; while a download runs, the next few
    /// missing chunks (at most <see cref="ChunksPerWindow"/>, within <see cref="BudgetMs"/>) are
    /// fetched by subscribing to their retained topics; a complete download is verified and switched
    /// (the node then restarts into the trial); and the state topic is published when it changed.
    /// The manifest topic is subscribed with the configuration's, so the retained manifest arrives
    /// while the batches go out (through the publisher's message sink, this class) and costs no wait.
    /// </summary>
    public sealed class OtaSession : IUplinkEvents, IMessageSink
    {
        /// <summary>
        /// Chunks per window: 8 × 4 KB cost ~4.5 s of CPU to hash and write at 1.5 M IL/s (docs/ota.md)
        /// and ~32 KB of radio; a 120 KB release takes four windows.
        /// </summary>
        public const int ChunksPerWindow = 8;

        /// <summary>The OTA step's time after the batches: the manifest, the chunks and the state publish.</summary>
        public const int BudgetMs = 10000;

        private const int PollMs = 100;
        private static readonly string[] FailureNames =
        {
            string.Empty, "ManifestMalformed", "BadSignature", "WrongTarget", "Downgrade", "RefusedBefore", "LoaderTooOld",
            "DoesNotFit", "ChunkTampered", "FileHashMismatch", "FlashError", "TrialNotConfirmed", "LoadFailed", "Busy",
        };

        private static readonly string[] StateNames = { "idle", "downloading", "verifying", "trial", "confirmed", "rolledback" };

        private readonly SlotLoader _loader;
        private readonly OtaUpdater _updater;
        private readonly string _manifestTopic;
        private readonly string _stateTopic;
        private readonly OtaStatus _now = new OtaStatus();
        private readonly byte[] _stateFields = new byte[32];
        private readonly IMessageSink _others;
        private IUplinkEvents _forward;
        private byte[] _copy;
        private int _awaited;
        private int _stateHandle;
        private uint _stateCrc;

        /// <param name="others">Where messages that are not the update's go (the remote configuration).</param>
        public OtaSession(SlotLoader loader, OtaUpdater updater, uint nodeId, IMessageSink others)
        {
            _others = others;
            _loader = loader;
            _updater = updater;
            _manifestTopic = Topics.Ota(nodeId);
            _stateTopic = Topics.OtaState(nodeId);
        }

        /// <summary>A state as the state topic writes it (nanoFramework's Enum.ToString gives the number, so the names are a table).</summary>
        public static string StateName(OtaState state)
        {
            return StateNames[(int)state];
        }

        /// <summary>A failure as the state topic writes it: the <see cref="OtaFailure"/> member's name, empty for none.</summary>
        public static string FailureName(OtaFailure failure)
        {
            return FailureNames[(int)failure];
        }

        /// <summary>The last window verified and switched a release: the node must restart into the trial.</summary>
        public bool Switched { get; private set; }

        /// <summary>Set by the runtime once this boot has read its sensors (a sample with readings): half of a trial's proof.</summary>
        public bool SensorsRead { get; set; }

        /// <summary>
        /// The sequence of the first batch this boot seals (set at boot): the other half of a trial's
        /// proof is a batch from here on released as delivery.ack says (PUBACK, or the backend's
        /// acknowledgement) — not one the previous release sent, whose acknowledgement may come now.
        /// </summary>
        public uint FirstSequence { get; set; }

        /// <summary>The running release is a trial not yet confirmed: the node publishes at every wake until it is.</summary>
        public bool InTrial { get { return _loader.Record.State == OtaState.Trial; } }

        /// <summary>
        /// Into the new release (the loader runs it at the next boot), and between a trial's wakes:
        /// deep sleep with the radio started at the wake, so each wake is a boot the loader counts
        /// and publishes — a release that never confirms itself is rolled back after its boots.
        /// </summary>
        public void ChooseSleep(CycleOutcome o)
        {
            if (!Switched && !InTrial)
            {
                return;
            }

            o.Sleep = SleepKind.Deep;
            o.ConnectAtWake = true;
            if (Switched)
            {
                o.SleepMs = WakeSleepDriver.MinSleepMs;
            }
        }

        /// <summary>CRC-32C of the state fields last acknowledged by the broker (kept over deep sleep by the delivery session's record).</summary>
        public uint StateCrc
        {
            get { return _stateCrc; }
            set { _stateCrc = value; }
        }

        /// <summary>The update's diagnostics now (docs/payload.md, bits 26–30), refreshed in place.</summary>
        public OtaStatus Current()
        {
            BootRecord r = _loader.Record;
            OtaStatus s = _now;
            s.RunningVersion = r.Version;
            s.RunningCounter = r.Counter;
            s.Slot = r.Slot;
            s.State = r.State;
            s.BytesReceived = 0;
            s.BytesTotal = 0;
            s.LastFailure = r.Failure;
            s.FailureDetail = r.FailureDetail;
            if (_updater != null)
            {
                OtaStatus u = _updater.Status;
                if (_updater.Pending != null && r.State != OtaState.Trial)
                {
                    s.State = u.State == OtaState.Verifying ? OtaState.Verifying : OtaState.Downloading;
                    s.BytesReceived = u.BytesReceived;
                    s.BytesTotal = u.BytesTotal;
                }

                if (u.LastFailure != OtaFailure.None)
                {
                    s.LastFailure = u.LastFailure;
                    s.FailureDetail = u.FailureDetail;
                }
            }

            return s;
        }

        /// <summary>Subscribes to the node's manifest, with the configuration before the batches go out.</summary>
        public void Subscribe(IUplink uplink)
        {
            if (_updater != null)
            {
                uplink.Subscribe(_manifestTopic);
            }
        }

        /// <summary>The window's update step after the batches, on a connected uplink; <paramref name="delivery"/> gets the publish outcomes that are not the update's.</summary>
        public void Run(IUplink uplink, IClock clock, Publisher delivery)
        {
            Switched = false;
            _forward = delivery;
            _awaited = 0;
            long deadline = clock.MonotonicMs + BudgetMs;
            if (InTrial && SensorsRead)
            {
                // With the backend's acknowledgement the trial's batch is released a moment after its PUBACK: wait for it within the budget.
                while (delivery.LastReleased < FirstSequence && clock.MonotonicMs < deadline && uplink.IsConnected && delivery.ToSend(clock.UnixSeconds) == 0)
                {
                    uplink.Poll(PollMs, this);
                }

                if (delivery.LastReleased >= FirstSequence)
                {
                    _loader.Confirm(); // a flash refusal leaves the trial: the next window tries again
                }
            }

            if (_updater != null && !InTrial)
            {
                uplink.Poll(0, this); // a manifest that came after the batches
                FetchChunks(uplink, clock, deadline);
                if (_updater.Complete)
                {
                    Switched = _updater.VerifyAndSwitch();
                }
            }

            PublishState(uplink, clock, deadline);
        }

        private void FetchChunks(IUplink uplink, IClock clock, long deadline)
        {
            OtaManifest m = _updater.Pending;
            if (m == null)
            {
                return;
            }

            _awaited = 0;
            int next = _updater.NextMissing(0);
            for (int k = 0; k < ChunksPerWindow && next >= 0 && clock.MonotonicMs < deadline; k++)
            {
                // Each chunk is its own retained topic: subscribing asks the broker for exactly that one.
                if (uplink.Subscribe(Topics.OtaChunk(m.Counter, next)) != UplinkStatus.Ok)
                {
                    break;
                }

                _awaited++;
                next = _updater.NextMissing(next + 1);
            }

            while (_awaited > 0 && clock.MonotonicMs < deadline && uplink.IsConnected)
            {
                uplink.Poll(PollMs, this);
            }
        }

        private void PublishState(IUplink uplink, IClock clock, long deadline)
        {
            // The fields' CRC decides, so an unchanged state (most windows) costs no text and no allocation.
            OtaStatus s = Current();
            byte[] f = _stateFields;
            LittleEndian.WriteUInt32(f, 0, s.RunningVersion);
            LittleEndian.WriteUInt32(f, 4, s.RunningCounter);
            LittleEndian.WriteUInt32(f, 8, (uint)s.Slot);
            LittleEndian.WriteUInt32(f, 12, (uint)s.State);
            LittleEndian.WriteUInt32(f, 16, (uint)s.BytesReceived);
            LittleEndian.WriteUInt32(f, 20, (uint)s.BytesTotal);
            LittleEndian.WriteUInt32(f, 24, (uint)s.LastFailure);
            LittleEndian.WriteUInt32(f, 28, (uint)s.FailureDetail);
            uint crc = Crc32C.Compute(f, 0, f.Length);
            if (crc == _stateCrc)
            {
                return;
            }

            string text = "version=" + OtaVersion.Format(s.RunningVersion) + "\ncounter=" + s.RunningCounter.ToString()
                + "\nslot=" + s.Slot.ToString() + "\nstate=" + StateName(s.State) + "\nreceived=" + s.BytesReceived.ToString()
                + "\ntotal=" + s.BytesTotal.ToString() + "\nfailure=" + FailureName(s.LastFailure)
                + "\ndetail=" + s.FailureDetail.ToString() + "\n";
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                bytes[i] = (byte)text[i];
            }

            _stateHandle = uplink.Publish(_stateTopic, bytes, 0, bytes.Length);
            while (_stateHandle > 0 && clock.MonotonicMs < deadline && uplink.IsConnected)
            {
                uplink.Poll(PollMs, this);
            }

            if (_stateHandle == 0)
            {
                _stateCrc = crc;
            }
        }

        public void OnPublished(int handle, bool acknowledged, int reasonCode)
        {
            if (handle == _stateHandle && _stateHandle > 0)
            {
                _stateHandle = acknowledged ? 0 : -1;
                return;
            }

            if (_forward != null)
            {
                _forward.OnPublished(handle, acknowledged, reasonCode);
            }
        }

        /// <summary>An event of this step's polls: to the publisher, which takes the backend's acknowledgement and hands the rest to its sink (this).</summary>
        public void OnMessage(string topic, byte[] payload, int offset, int count)
        {
            _forward.OnMessage(topic, payload, offset, count);
        }

        /// <summary>A message past the publisher (its sink): the manifest and chunks are the update's, the rest the configuration's.</summary>
        void IMessageSink.OnMessage(string topic, byte[] payload, int offset, int count)
        {
            bool manifest = topic == _manifestTopic;
            if (_updater == null || (!manifest && !Topics.IsOtaChunk(topic)))
            {
                _others.OnMessage(topic, payload, offset, count);
                return;
            }

            byte[] message = payload;
            if (offset != 0)
            {
                if (_copy == null || _copy.Length < count)
                {
                    _copy = new byte[OtaUpdater.ChunkHeader + OtaManifest.MaxChunkSize > OtaManifest.MaxLength ? OtaUpdater.ChunkHeader + OtaManifest.MaxChunkSize : OtaManifest.MaxLength];
                }

                if (count > _copy.Length)
                {
                    return; // larger than any manifest or chunk: not one
                }

                System.Array.Copy(payload, offset, _copy, 0, count);
                message = _copy;
            }

            if (manifest)
            {
                _updater.OfferManifest(message, count);
            }
            else
            {
                _awaited--;
                _updater.OfferChunk(message, count);
            }
        }
    }
}
