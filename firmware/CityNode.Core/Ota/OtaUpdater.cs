using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Ota
{
    /// <summary>
    /// The download side of an update (docs/ota.md): takes a manifest, writes each chunk whose
    /// SHA-256 is the manifest's into the inactive slot (one chunk per slot sector, so a chunk cut
    /// part-way is erased and written again), marks it in a progress sector, and once every chunk
    /// is in hashes the slot's files back from flash and switches the boot record to the new slot
    /// as a trial. Everything it knows is in flash: after a deep sleep, a power cut or a broker
    /// restart <see cref="Mount"/> rebuilds it and the download goes on where it stopped.
    /// State region (sectors of <see cref="StateSectorSize"/>): 0–1 the <see cref="BootRecord"/>,
    /// 2–5 what <see cref="OtaStore"/> keeps (pending manifest, progress, each slot's manifest).
    /// </summary>
    public sealed class OtaUpdater
    {
        public const int StateSectors = OtaRegions.StateSectors;
        public const int StateSectorSize = OtaRegions.StateSectorSize;
        public const int SlotSectorSize = OtaRegions.SlotSectorSize;
        public const int ManifestSector = OtaStore.ManifestSector;
        public const int ProgressSector = OtaStore.ProgressSector;

        /// <summary>Chunk message header: magic "CNCK" | release counter u32 | chunk index u16 | length u16, then the bytes.</summary>
        public const int ChunkHeader = 12;
        public const uint ChunkMagic = 0x4B434E43; // "CNCK"

        private readonly OtaStore _store;
        private readonly IFlash[] _slots;
        private readonly SlotLoader _loader;
        private readonly BootRecord _record;
        private readonly IHash256 _mac;
        private readonly string _node;
        private readonly string _group;
        private readonly uint _loaderVersion;
        private readonly Sha256 _sha = new Sha256();
        private readonly byte[] _digest = new byte[32];
        private readonly byte[] _io = new byte[256];
        private byte[] _manifestBytes; // the pending manifest's copy, allocated at the first update
        private OtaManifest _pending;
        private int _received;

        /// <param name="state">The OTA state region: <see cref="StateSectors"/> sectors of <see cref="StateSectorSize"/>.</param>
        /// <param name="slotA">Slot 0; its sector size is the chunk size releases must use.</param>
        /// <param name="slotB">Slot 1, the same size.</param>
        /// <param name="loader">The loader over the boot record in <paramref name="state"/> sectors 0–1, after its <see cref="SlotLoader.BeginBoot"/>.</param>
        /// <param name="mac">HMAC-SHA256 under this node's provisioned key.</param>
        public OtaUpdater(IFlash state, IFlash slotA, IFlash slotB, SlotLoader loader, IHash256 mac, string node, string group, uint loaderVersion)
        {
            _store = new OtaStore(state);
            _slots = new IFlash[] { slotA, slotB };
            _loader = loader;
            _record = loader.Record;
            _mac = mac;
            _node = node;
            _group = group;
            _loaderVersion = loaderVersion;
            Status = new OtaStatus();
        }

        public OtaStatus Status { get; private set; }

        /// <summary>The manifest being downloaded, or null.</summary>
        public OtaManifest Pending { get { return _pending; } }

        /// <summary>Every chunk of the pending release is in the slot: <see cref="VerifyAndSwitch"/> next.</summary>
        public bool Complete { get { return _pending != null && _received == _pending.ChunkCount; } }

        /// <summary>The first chunk of the pending release at or after <paramref name="from"/> not yet in the slot, or -1.</summary>
        public int NextMissing(int from)
        {
            for (int c = from; _pending != null && c < _pending.ChunkCount; c++)
            {
                if (!IsIn(c))
                {
                    return c;
                }
            }

            return -1;
        }

        private int Inactive { get { return _record.Slot == 0 ? 1 : 0; } }

        /// <summary>Rebuilds the download from flash (each boot, after the loader's <see cref="SlotLoader.BeginBoot"/>).</summary>
        public void Mount()
        {
            _pending = null;
            _received = 0;
            Status.LastFailure = _record.Failure;
            Status.FailureDetail = _record.FailureDetail;
            EnsureBuffer();
            int length = _store.ReadManifest(ManifestSector, _manifestBytes);
            if (length > 0)
            {
                // The MAC was checked when the manifest came; the CRC says these are its bytes.
                OtaManifest m = TryParse(length);
                if (m != null && m.Counter > _record.Counter && m.Counter > _record.RefusedCounter)
                {
                    _pending = m;
                }
                else
                {
                    ClearPending(); // switched already (a cut before the clear), or refused since
                }
            }

            if (_pending != null && !ProgressMatches())
            {
                StartProgress();
            }

            UpdateStatus();
        }

        /// <summary>Takes a manifest message (retained per node: it comes again at every connection, which is ignored).</summary>
        public OtaReply OfferManifest(byte[] message, int length)
        {
            OtaManifest m;
            try
            {
                m = OtaManifest.Parse(message, length);
            }
            catch (ManifestException e)
            {
                return Refuse(OtaFailure.ManifestMalformed, e.Field);
            }

            // Redeliveries change nothing, so they are ignored before the MAC is computed.
            if (m.Counter == _record.Counter || (_pending != null && m.Counter <= _pending.Counter))
            {
                return OtaReply.Ignored;
            }

            if (!m.SignedWith(_mac, _digest))
            {
                return Refuse(OtaFailure.BadSignature, m.SignatureAlgorithm);
            }

            bool ours = m.TargetKind == OtaManifest.TargetAny
                || (m.TargetKind == OtaManifest.TargetNode && m.TargetIs(_node))
                || (m.TargetKind == OtaManifest.TargetGroup && m.TargetIs(_group));
            if (!ours)
            {
                return Refuse(OtaFailure.WrongTarget, m.TargetKind);
            }

            if (m.Counter < _record.Counter)
            {
                return Refuse(OtaFailure.Downgrade, (int)m.Counter);
            }

            if (m.Counter <= _record.RefusedCounter)
            {
                return Refuse(OtaFailure.RefusedBefore, (int)m.Counter);
            }

            if (_record.State == OtaState.Trial)
            {
                return Refuse(OtaFailure.Busy, (int)_record.Counter);
            }

            if (m.MinLoader > _loaderVersion)
            {
                return Refuse(OtaFailure.LoaderTooOld, (int)(m.MinLoader >> 12));
            }

            IFlash slot = _slots[Inactive];
            if (m.ChunkSize != slot.SectorSize || m.ChunkCount > slot.SectorCount)
            {
                return Refuse(OtaFailure.DoesNotFit, m.ChunkCount);
            }

            // From here on the inactive slot no longer holds a fallback.
            if (_record.OtherSlotValid)
            {
                _record.OtherSlotValid = false;
                if (!_record.Save())
                {
                    _record.Load();
                    return Refuse(OtaFailure.FlashError, 0);
                }
            }

            EnsureBuffer();
            System.Array.Copy(message, 0, _manifestBytes, 0, length);
            _pending = null;
            if (!_store.Erase(ProgressSector) || !_store.WriteManifest(ManifestSector, _manifestBytes, length))
            {
                UpdateStatus();
                return Refuse(OtaFailure.FlashError, ManifestSector);
            }

            _pending = TryParse(length);
            if (!StartProgress())
            {
                return Refuse(OtaFailure.FlashError, ProgressSector);
            }

            Status.LastFailure = OtaFailure.None;
            Status.FailureDetail = 0;
            UpdateStatus();
            return OtaReply.Accepted;
        }

        /// <summary>Takes a chunk message (QoS 1: duplicates come, and chunks of other releases on the shared topic).</summary>
        public OtaReply OfferChunk(byte[] message, int length)
        {
            OtaManifest m = _pending;
            if (m == null || length < ChunkHeader || LittleEndian.ReadUInt32(message, 0) != ChunkMagic
                || LittleEndian.ReadUInt32(message, 4) != m.Counter)
            {
                return OtaReply.Ignored;
            }

            int index = LittleEndian.ReadUInt16(message, 8);
            int count = LittleEndian.ReadUInt16(message, 10);
            if (index >= m.ChunkCount || count != m.ChunkLength(index) || length - ChunkHeader != count)
            {
                return Refuse(OtaFailure.ChunkTampered, index);
            }

            if (IsIn(index))
            {
                return OtaReply.Ignored;
            }

            _sha.Reset();
            _sha.Update(message, ChunkHeader, count);
            _sha.Final(_digest, 0);
            if (!OtaManifest.Same(_digest, 0, m.Data, m.ChunkHashAt(index), OtaManifest.HashSize))
            {
                return Refuse(OtaFailure.ChunkTampered, index);
            }

            IFlash slot = _slots[Inactive];
            if (slot.Erase(index) != FlashStatus.Ok
                || slot.Program(index * slot.SectorSize, message, ChunkHeader, count) != FlashStatus.Ok
                || !_store.Mark(index))
            {
                return Refuse(OtaFailure.FlashError, index);
            }

            _received++;
            Status.BytesReceived += count;
            return OtaReply.Accepted;
        }

        /// <summary>
        /// Hashes each file of the complete slot from flash against the manifest and, when all match,
        /// switches the boot record to the slot as a trial (the caller reboots into it). On a mismatch
        /// the download starts over and the status says which file.
        /// </summary>
        public bool VerifyAndSwitch()
        {
            OtaManifest m = _pending;
            if (!Complete)
            {
                return false;
            }

            Status.State = OtaState.Verifying;
            IFlash slot = _slots[Inactive];
            for (int f = 0; f < m.FileCount; f++)
            {
                int unread = Hash(slot, m, f);
                if (unread >= 0)
                {
                    UpdateStatus();
                    Refuse(OtaFailure.FlashError, unread);
                    return false;
                }

                if (!OtaManifest.Same(_digest, 0, m.Data, m.FileHashAt(f), OtaManifest.HashSize))
                {
                    StartProgress(); // download it again
                    UpdateStatus();
                    Refuse(OtaFailure.FileHashMismatch, f);
                    return false;
                }
            }

            // The loader reads the slot's files from its manifest: written before the switch, so a cut
            // between the two leaves the old record and a manifest for a slot nobody runs.
            if (!_store.WriteManifest(OtaStore.InstalledSector + Inactive, m.Data, m.Length)
                || !_loader.Switch(Inactive, m.Version, m.Counter))
            {
                UpdateStatus();
                Refuse(OtaFailure.FlashError, 0);
                return false;
            }

            ClearPending(); // a cut before this: Mount sees the counter is the record's and clears it
            UpdateStatus();
            return true;
        }

        private OtaReply Refuse(OtaFailure why, int detail)
        {
            Status.LastFailure = why;
            Status.FailureDetail = detail;
            return OtaReply.Refused;
        }

        private void UpdateStatus()
        {
            OtaStatus s = Status;
            s.RunningVersion = _record.Version;
            s.RunningCounter = _record.Counter;
            s.Slot = _record.Slot;
            if (_record.State == OtaState.Trial || _pending == null)
            {
                s.State = _record.State;
                s.BytesReceived = 0;
                s.BytesTotal = 0;
                return;
            }

            s.State = OtaState.Downloading;
            s.BytesTotal = _pending.TotalBytes;
            int bytes = 0;
            for (int c = 0; c < _pending.ChunkCount; c++)
            {
                if (IsIn(c))
                {
                    bytes += _pending.ChunkLength(c);
                }
            }

            s.BytesReceived = bytes;
        }

        private bool IsIn(int chunk)
        {
            return _store.IsIn(chunk);
        }

        private bool ProgressMatches()
        {
            if (!_store.ProgressMatches(_pending.Counter, Inactive))
            {
                return false;
            }

            _received = 0;
            for (int c = 0; c < _pending.ChunkCount; c++)
            {
                if (IsIn(c))
                {
                    _received++;
                }
            }

            return true;
        }

        private bool StartProgress()
        {
            _received = 0;
            return _store.StartProgress(_pending.Counter, Inactive);
        }

        private void ClearPending()
        {
            _pending = null;
            _received = 0;
            _store.Erase(ManifestSector);
            _store.Erase(ProgressSector);
        }

        private void EnsureBuffer()
        {
            if (_manifestBytes == null)
            {
                _manifestBytes = new byte[OtaManifest.MaxLength];
            }
        }

        private OtaManifest TryParse(int length)
        {
            try
            {
                return OtaManifest.Parse(_manifestBytes, length);
            }
            catch (ManifestException)
            {
                return null;
            }
        }

        /// <summary>SHA-256 of file <paramref name="file"/> of <paramref name="m"/> read back from <paramref name="slot"/> into the digest buffer; the chunk the flash refused to read, or -1.</summary>
        private int Hash(IFlash slot, OtaManifest m, int file)
        {
            _sha.Reset();
            for (int c = m.FirstChunk(file); c < m.FirstChunk(file + 1); c++)
            {
                int n = m.ChunkLength(c);
                for (int done = 0; done < n; done += _io.Length)
                {
                    int k = n - done < _io.Length ? n - done : _io.Length;
                    if (slot.Read((c * slot.SectorSize) + done, _io, 0, k) != FlashStatus.Ok)
                    {
                        return c;
                    }

                    _sha.Update(_io, 0, k);
                }
            }

            _sha.Final(_digest, 0);
            return -1;
        }
    }
}
