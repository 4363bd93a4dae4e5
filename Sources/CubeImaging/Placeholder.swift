// CubeImaging: placeholder until its first file lands.
