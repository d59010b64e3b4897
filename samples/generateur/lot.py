def generer_lot(n, d): raise NotImplementedError
