// CubeService: placeholder until its first file lands.
