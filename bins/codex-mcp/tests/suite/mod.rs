mod manage;
