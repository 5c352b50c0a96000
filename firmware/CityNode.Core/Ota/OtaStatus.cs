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

    /// <summary>Where a node is in an update (docs/ota.md, state machine).</summary>
    public enum OtaState
    {
        /// <summary>Running the image installed by cable; no update seen.</summary>
        Idle = 0,
        /// <summary>A manifest was accepted; chunks are going into the inactive slot.</summary>
        Downloading = 1,
        /// <summary>Every chunk is in; the slot's files are being hashed from flash.</summary>
        Verifying = 2,
        /// <summary>Running the new slot, not yet confirmed; the loader counts its boots.</summary>
        Trial = 3,
        /// <summary>The running slot confirmed itself (sensors read, a batch acknowledged).</summary>
        Confirmed = 4,
        /// <summary>The loader went back to the other slot; <see cref="OtaStatus.LastFailure"/> says why.</summary>
        RolledBack = 5,
    }

    /// <summary>Why an update step was refused or undone. Numbered: persisted in the boot record and reported.</summary>
    public enum OtaFailure
    {
        None = 0,
        /// <summary>The manifest does not parse (the detail names the field: <see cref="OtaManifest.FieldOf"/>).</summary>
        ManifestMalformed = 1,
        /// <summary>The manifest's HMAC does not match this node's key, or it is unsigned.</summary>
        BadSignature = 2,
        /// <summary>The manifest names another node or a group this node is not in.</summary>
        WrongTarget = 3,
        /// <summary>The anti-rollback counter is below the running release's.</summary>
        Downgrade = 4,
        /// <summary>The release was rolled back or failed verification here before (counter at or below the refused one).</summary>
        RefusedBefore = 5,
        /// <summary>The release needs a newer loader than this node's (updated only by cable).</summary>
        LoaderTooOld = 6,
        /// <summary>The release does not fit a slot (chunk count) or its chunk size is not the slot's sector size.</summary>
        DoesNotFit = 7,
        /// <summary>A chunk's SHA-256 is not the manifest's (detail: the chunk index); it was not written.</summary>
        ChunkTampered = 8,
        /// <summary>A file read back from the slot does not hash to the manifest's SHA-256 (detail: the file index).</summary>
        FileHashMismatch = 9,
        /// <summary>The flash refused a write or a read (detail: the sector).</summary>
        FlashError = 10,
        /// <summary>The trial slot did not confirm itself within the allowed boots.</summary>
        TrialNotConfirmed = 11,
        /// <summary>The loader could not load the slot's assemblies.</summary>
        LoadFailed = 12,
        /// <summary>A trial is running: a new manifest waits until it is confirmed or rolled back.</summary>
        Busy = 13,
    }

    /// <summary>
    /// The update's diagnostics, updated in place (no allocation) for a later diagnostics integration
    /// to copy into a batch: running version, slot, state, bytes received, last failure and its detail.
    /// </summary>
    public sealed class OtaStatus
    {
        public uint RunningVersion;
        public uint RunningCounter;
        public int Slot;
        public OtaState State;
        public int BytesReceived;
        public int BytesTotal;
        public OtaFailure LastFailure;
        public int FailureDetail;
    }

    /// <summary>Release versions "major.minor.patch" packed into 32 bits (8.12.12) for the manifest and the boot record.</summary>
    public static class OtaVersion
    {
        public const int MaxMajor = 255;
        public const int MaxPart = 4095;

        public static uint Pack(int major, int minor, int patch)
        {
            return ((uint)major << 24) | ((uint)minor << 12) | (uint)patch;
        }

        public static string Format(uint version)
        {
            return (version >> 24).ToString() + "." + ((version >> 12) & 0xFFF).ToString() + "." + (version & 0xFFF).ToString();
        }
    }
}
