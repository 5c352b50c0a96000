namespace CityNode.Ota
{
    /// <summary>
    /// The loader's decisions over the <see cref="BootRecord"/> (docs/ota.md, state machine). The
    /// stable loader in the deployed image (firmware/CityNode.Loader) calls <see cref="BeginBoot"/> before
    /// it loads the slot's assemblies with Assembly.Load, <see cref="LoadFailed"/> when that throws, and the application
    /// calls <see cref="Confirm"/> once it has read its sensors and had a batch acknowledged. Each
    /// boot of an unconfirmed trial is counted before the trial runs, so a version that crashes,
    /// hangs until the watchdog or never gets a batch through is rolled back after
    /// <see cref="MaxTrialBoots"/> boots whatever the crash counter does.
    /// </summary>
    public sealed class SlotLoader
    {
        /// <summary>Boots a trial gets to confirm itself (a boot is also each deep-sleep wake).</summary>
        public const int DefaultMaxTrialBoots = 3;

        private readonly BootRecord _record;

        public SlotLoader(BootRecord record, int maxTrialBoots)
        {
            _record = record;
            MaxTrialBoots = maxTrialBoots;
        }

        public int MaxTrialBoots { get; private set; }

        public BootRecord Record { get { return _record; } }

        /// <summary>Counts a trial boot (rolling back once the trial had its boots) and returns the slot to load.</summary>
        public int BeginBoot()
        {
            _record.Load();
            if (_record.State == OtaState.Trial)
            {
                if (_record.TrialBoots >= MaxTrialBoots)
                {
                    RollBack(OtaFailure.TrialNotConfirmed, _record.TrialBoots);
                }
                else
                {
                    _record.TrialBoots++;
                    _record.Save(); // if the flash refuses, this boot is not counted; the next one is
                }
            }

            return _record.Slot;
        }

        /// <summary>The active slot's assemblies did not load: back to the other slot's release, or to the cable-installed application; returns the slot the record now names.</summary>
        public int LoadFailed()
        {
            if (_record.Counter > 0)
            {
                RollBack(OtaFailure.LoadFailed, 0);
            }

            return _record.Slot; // the cable-installed application failed: nothing older to go back to
        }

        /// <summary>The running trial proved itself: it becomes the confirmed release. False when there is nothing to confirm or the flash refused.</summary>
        public bool Confirm()
        {
            if (_record.State != OtaState.Trial)
            {
                return false;
            }

            _record.State = OtaState.Confirmed;
            _record.TrialBoots = 0;
            _record.Failure = OtaFailure.None;
            _record.FailureDetail = 0;
            return _record.Save();
        }

        /// <summary>Installs a verified release in <paramref name="slot"/> as a trial: the switch, one record write.</summary>
        public bool Switch(int slot, uint version, uint counter)
        {
            _record.PreviousVersion = _record.Version;
            _record.PreviousCounter = _record.Counter;
            _record.Slot = slot;
            _record.Version = version;
            _record.Counter = counter;
            _record.State = OtaState.Trial;
            _record.TrialBoots = 0;
            _record.Failure = OtaFailure.None;
            _record.FailureDetail = 0;
            _record.OtherSlotValid = true;
            if (_record.Save())
            {
                return true;
            }

            _record.Load(); // the old record stays current
            return false;
        }

        private void RollBack(OtaFailure why, int detail)
        {
            if (_record.Counter > _record.RefusedCounter)
            {
                _record.RefusedCounter = _record.Counter;
            }

            // The other slot holds the release that ran before the switch until a download writes into it;
            // without it (after a rollback, or a download under way) the node goes back to the application
            // installed by cable (counter 0: the loader runs the drive's app folder), which is always there.
            bool otherSlot = _record.OtherSlotValid;
            uint failedVersion = _record.Version;
            uint failedCounter = _record.Counter;
            _record.Slot = otherSlot ? (_record.Slot == 0 ? 1 : 0) : _record.Slot;
            _record.Version = otherSlot ? _record.PreviousVersion : 0;
            _record.Counter = otherSlot ? _record.PreviousCounter : 0;
            _record.PreviousVersion = failedVersion; // the refused release, never taken again (RefusedCounter)
            _record.PreviousCounter = failedCounter;
            _record.State = OtaState.RolledBack;
            _record.OtherSlotValid = false;
            _record.TrialBoots = 0;
            _record.Failure = why;
            _record.FailureDetail = detail;
            if (!_record.Save())
            {
                _record.Load(); // flash refused: boot what the record says; the next boot tries again
            }
        }
    }
}
