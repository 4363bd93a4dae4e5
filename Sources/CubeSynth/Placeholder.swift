// CubeSynth: placeholder until its first file lands.
