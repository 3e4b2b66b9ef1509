"""URLs of the journeys: the back office (backoffice.py, /jornadas/) and the client's pages (client.py, /j/)."""
