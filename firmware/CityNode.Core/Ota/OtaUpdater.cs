using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Ota
{
    /// <summary>What became of an offered manifest or chunk; a refusal's reason is in <see cref="OtaStatus"/>.</summary>
    public enum OtaReply
    {
        /// <summary>Taken: the download started, or the chunk is in the slot.</summary>
        Accepted = 0,
        /// <summary>Nothing to do: a redelivery, the running release, a chunk of another release.</summary>
        Ignored = 1,
        /// <summary>Refused; <see cref="OtaStatus.LastFailure"/> and <see cref="OtaStatus.FailureDetail"/> say why.</summary>
        Refused = 2,
    }

    /// <summary>
    /// The download side of an update (docs/ota.md): takes a manifest, writes each chunk whose
    /// SHA-256 is the manifest's into the inactive slot (one chunk per slot sector, so a chunk cut
    /// part-way is erased and written again), marks it in a progress sector, and once every chunk
    /// is in hashes the slot's files back from flash and switches the boot record to the new slot
    /// as a trial. Everything it knows is in flash: after a deep sleep, a power cut or a broker
    /// restart <see cref="Mount"/> rebuilds it and the download goes on where it stopped.
    /// State region (sectors of <see cref="StateSectorSize"/>): 0–1 the <see cref="BootRecord"/>,
    /// 2 the pending manifest (length u32 | CRC-32C u32 | bytes), 3 the progress (magic "CNPG" |
    /// counter u32 | slot u32 | reserved u32 | one byte per chunk, 0x00 = in).
    /// </summary>
    public sealed class OtaUpdater
    {
        public const int StateSectors = 4;
        public const int StateSectorSize = 4096;

        /// <summary>The sector size of a slot region, and so the chunk size of every release (one chunk per sector).</summary>
        public const int SlotSectorSize = 4096;
        public const int ManifestSector = 2;
        public const int ProgressSector = 3;

        /// <summary>Chunk message header: magic "CNCK" | release counter u32 | chunk index u16 | length u16, then the bytes.</summary>
        public const int ChunkHeader = 12;
        public const uint ChunkMagic = 0x4B434E43; // "CNCK"

        private const uint ProgressMagic = 0x47504E43; // "CNPG"
        private const int MarksAt = 16;

        private readonly IFlash _state;
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
        private readonly byte[] _mark = new byte[1];
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
            _state = state;
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

        private int Inactive { get { return _record.Slot == 0 ? 1 : 0; } }

        /// <summary>Rebuilds the download from flash (each boot, after the loader's <see cref="SlotLoader.BeginBoot"/>).</summary>
        public void Mount()
        {
            _pending = null;
            _received = 0;
            Status.LastFailure = _record.Failure;
            Status.FailureDetail = _record.FailureDetail;
            byte[] io = _io;
            int at = ManifestSector * StateSectorSize;
            if (_state.Read(at, io, 0, 8) == FlashStatus.Ok)
            {
                uint length = LittleEndian.ReadUInt32(io, 0);
                if (length > 0 && length <= OtaManifest.MaxLength)
                {
                    EnsureBuffer();
                    if (_state.Read(at + 8, _manifestBytes, 0, (int)length) == FlashStatus.Ok
                        && Crc32C.Compute(_manifestBytes, 0, (int)length) == LittleEndian.ReadUInt32(io, 4))
                    {
                        // The MAC was checked when the manifest came; the CRC says these are its bytes.
                        OtaManifest m = TryParse((int)length);
                        if (m != null && m.Counter > _record.Counter && m.Counter > _record.RefusedCounter)
                        {
                            _pending = m;
                        }
                        else
                        {
                            ClearPending(); // switched already (a cut before the clear), or refused since
                        }
                    }
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
            int at = ManifestSector * StateSectorSize;
            LittleEndian.WriteUInt32(_io, 0, (uint)length);
            LittleEndian.WriteUInt32(_io, 4, Crc32C.Compute(_manifestBytes, 0, length));
            _pending = null;
            if (_state.Erase(ProgressSector) != FlashStatus.Ok
                || _state.Erase(ManifestSector) != FlashStatus.Ok
                || _state.Program(at + 8, _manifestBytes, 0, length) != FlashStatus.Ok
                || _state.Program(at, _io, 0, 8) != FlashStatus.Ok)
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
            _mark[0] = 0x00;
            if (slot.Erase(index) != FlashStatus.Ok
                || slot.Program(index * slot.SectorSize, message, ChunkHeader, count) != FlashStatus.Ok
                || _state.Program((ProgressSector * StateSectorSize) + MarksAt + index, _mark, 0, 1) != FlashStatus.Ok)
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
                _sha.Reset();
                int first = m.FirstChunk(f);
                int last = m.FirstChunk(f + 1);
                for (int c = first; c < last; c++)
                {
                    int n = m.ChunkLength(c);
                    for (int done = 0; done < n; done += _io.Length)
                    {
                        int k = n - done < _io.Length ? n - done : _io.Length;
                        if (slot.Read((c * slot.SectorSize) + done, _io, 0, k) != FlashStatus.Ok)
                        {
                            UpdateStatus();
                            Refuse(OtaFailure.FlashError, c);
                            return false;
                        }

                        _sha.Update(_io, 0, k);
                    }
                }

                _sha.Final(_digest, 0);
                if (!OtaManifest.Same(_digest, 0, m.Data, m.FileHashAt(f), OtaManifest.HashSize))
                {
                    StartProgress(); // download it again
                    UpdateStatus();
                    Refuse(OtaFailure.FileHashMismatch, f);
                    return false;
                }
            }

            if (!_loader.Switch(Inactive, m.Version, m.Counter))
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
            // A mark cut part-way is not 0x00: the chunk is written again, and its mark programmed over.
            return _state.Read((ProgressSector * StateSectorSize) + MarksAt + chunk, _mark, 0, 1) == FlashStatus.Ok && _mark[0] == 0x00;
        }

        private bool ProgressMatches()
        {
            if (_state.Read(ProgressSector * StateSectorSize, _io, 0, MarksAt) != FlashStatus.Ok
                || LittleEndian.ReadUInt32(_io, 0) != ProgressMagic
                || LittleEndian.ReadUInt32(_io, 4) != _pending.Counter
                || LittleEndian.ReadUInt32(_io, 8) != (uint)Inactive)
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

        // Progress header last: a cut before it leaves a sector Mount does not match, and it starts over.
        private bool StartProgress()
        {
            _received = 0;
            LittleEndian.WriteUInt32(_io, 0, ProgressMagic);
            LittleEndian.WriteUInt32(_io, 4, _pending.Counter);
            LittleEndian.WriteUInt32(_io, 8, (uint)Inactive);
            LittleEndian.WriteUInt32(_io, 12, 0);
            return _state.Erase(ProgressSector) == FlashStatus.Ok
                && _state.Program(ProgressSector * StateSectorSize, _io, 0, MarksAt) == FlashStatus.Ok;
        }

        private void ClearPending()
        {
            _pending = null;
            _received = 0;
            _state.Erase(ManifestSector);
            _state.Erase(ProgressSector);
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
    }
}
