// CubeReports: placeholder until its first file lands.
